/**
 * Transfer detection: pure functions from a block's raw transactions to transfer candidates, each
 * accepted or with a stable reason (reject-reasons.ts). No I/O: the watcher feeds them the bytes
 * that ScannedBlock carries.
 *
 * Per main-chain transaction the watcher runs detectReleases first (a release pays its change to
 * the lock script), then detectLocks; per side-chain transaction, detectBurns.
 */
export { detectLocks, type DetectedLock, type LockContext } from './detect-locks.js';
export { detectBurns, type BurnContext, type DetectedBurn } from './detect-burns.js';
export { BURNS_HASH_TAG, burnsHash, detectReleases, type DetectedRelease, type Outpoint, type ReleaseContext } from './detect-releases.js';
export { REJECT_CODES, REJECT_REASONS, type RejectCode, type Rejection } from './reject-reasons.js';
