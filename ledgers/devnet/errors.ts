/**
 * Why the devnet chain refuses a transaction or a block. Each refusal is a DevnetRejectError with
 * a stable `code` (match on it, never on the message), a Core-like `reason` (the reject reason
 * Bitcoin Core would print: "bad-txns-inputs-missingorspent", "mandatory-script-verify-flag-failed",
 * ...), a message that is the reason followed by the details in parentheses (what the RPC prints),
 * and the RPC error class of the chain API (`rejectCode`). Codes are explained in
 * docs/devnet-errors.md.
 */
import { UtxoRelayError } from '../../proofs/base-error.js';
import { ProofError } from '../../proofs/errors.js';
import type { RejectCode } from './chain-api.js';

/** Every code of DevnetRejectError. Stable: tests and the RPC match on them (docs/devnet-errors.md). */
export const DEVNET_REJECT_CODES = [
  // bytes that do not decode
  'TX_MALFORMED',
  'BLOCK_MALFORMED',
  // transactions: context-free
  'TX_INVALID',
  'TX_COINBASE',
  'TX_TOO_SMALL',
  'TX_NONSTANDARD_OUTPUT',
  'TX_DUST',
  // transactions: against the chain
  'TX_ALREADY_IN_CHAIN',
  'TX_MISSING_INPUTS',
  'TX_PREMATURE_COINBASE_SPEND',
  'TX_VALUE_CREATED',
  'TX_NON_FINAL',
  'TX_SCRIPT_FAILED',
  // transactions: mempool policy
  'TX_ALREADY_IN_MEMPOOL',
  'TX_FEE_TOO_LOW',
  'TX_MEMPOOL_CONFLICT',
  'TX_REPLACEMENT_REFUSED',
  // side role: peg-in mints
  'MINT_MALFORMED',
  'MINT_ALREADY_CLAIMED',
  'MINT_BAD_SIGNATURES',
  'MINT_BAD_PROOF',
  'MINT_BAD_LOCK',
  'MINT_BAD_DESTINATION',
  'MINT_BAD_OUTPUTS',
  'MINT_AMOUNT_TOO_HIGH',
  // blocks
  'BLOCK_INVALID',
  'BLOCK_BAD_HEADER',
  'BLOCK_PREV_UNKNOWN',
  'BLOCK_PREV_INVALID',
  'BLOCK_DUPLICATE_INVALID',
  'BLOCK_BAD_CB_HEIGHT',
  'BLOCK_BAD_CB_AMOUNT',
] as const;

/** One of DEVNET_REJECT_CODES. */
export type DevnetRejectCode = (typeof DEVNET_REJECT_CODES)[number];

/** The RPC error class of each code (Core: -22 malformed, -25 missing inputs, -26 rejected, -27 already in chain). */
export function rejectCodeOf(code: DevnetRejectCode): RejectCode {
  switch (code) {
    case 'TX_MALFORMED':
    case 'BLOCK_MALFORMED':
      return 'malformed';
    case 'TX_MISSING_INPUTS':
      return 'missing-inputs';
    case 'TX_ALREADY_IN_CHAIN':
      return 'already-in-chain';
    default:
      return 'rejected';
  }
}

/**
 * A transaction or block refused by the devnet's consensus or mempool policy. `reason` is the
 * Core-like reject reason; `details` may name the input (`inputIndex`), output (`outputIndex`) or
 * transaction (`txIndex`) at fault.
 */
export class DevnetRejectError extends UtxoRelayError<DevnetRejectCode> {
  /** Core's reject reason, e.g. "bad-txns-in-belowout". */
  readonly reason: string;
  /** What exactly was wrong, when there is more to say than the reason. */
  readonly detail: string | undefined;

  constructor(code: DevnetRejectCode, reason: string, options: { detail?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    const message = options.detail === undefined ? reason : `${reason} (${options.detail})`;
    super(code, message, { ...(options.cause === undefined ? {} : { cause: options.cause }), details: { reason, ...options.details } });
    this.reason = reason;
    this.detail = options.detail;
  }

  /** The chain API's (and the RPC's) error class. */
  get rejectCode(): RejectCode {
    return rejectCodeOf(this.code);
  }

  override get docsPath(): string {
    return `docs/devnet-errors.md#${this.code.toLowerCase().replaceAll('_', '-')}`;
  }

  /** The same refusal with `details` merged in (e.g. the position of the transaction in its block). */
  withDetails(details: Record<string, unknown>): DevnetRejectError {
    return new DevnetRejectError(this.code, this.reason, {
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      cause: this.cause ?? this,
      details: { ...this.details, ...details },
    });
  }
}

/** Shorthand: throws a DevnetRejectError. */
export function reject(code: DevnetRejectCode, reason: string, detail?: string, details?: Record<string, unknown>): never {
  throw new DevnetRejectError(code, reason, { ...(detail === undefined ? {} : { detail }), ...(details === undefined ? {} : { details }) });
}

/**
 * A ProofError of the block and header rules as Core's reject reason: what `verifyBlock` and
 * `HeaderChain.add` refuse becomes BLOCK_MALFORMED (bytes), BLOCK_BAD_HEADER (header rules) or
 * BLOCK_INVALID (the block's content). Other errors are returned unchanged.
 */
export function blockRejectFromProofError(error: unknown): unknown {
  if (!(error instanceof ProofError)) return error;
  const wrap = (code: DevnetRejectCode, reason: string): DevnetRejectError =>
    new DevnetRejectError(code, reason, { detail: error.message, cause: error, details: { ...error.details } });
  switch (error.code) {
    case 'BLOCK_MALFORMED':
      // verifyBlock's weight rule names the weight; any other BLOCK_MALFORMED is about the bytes
      return typeof error.details['weight'] === 'number' ? wrap('BLOCK_INVALID', 'bad-blk-weight') : wrap('BLOCK_MALFORMED', 'block decode failed');
    case 'HEADER_MALFORMED':
      return wrap('BLOCK_MALFORMED', 'block decode failed');
    case 'TX_MALFORMED': {
      const reason = error.details['reason'];
      return typeof reason === 'string' ? wrap('BLOCK_INVALID', reason) : wrap('BLOCK_MALFORMED', 'block decode failed');
    }
    case 'BITS_INVALID':
    case 'HEADER_BAD_BITS':
      return wrap('BLOCK_BAD_HEADER', 'bad-diffbits');
    case 'HEADER_BAD_POW':
      return wrap('BLOCK_BAD_HEADER', 'high-hash');
    case 'HEADER_BAD_PREV':
      return wrap('BLOCK_PREV_UNKNOWN', 'prev-blk-not-found');
    case 'HEADER_TIME_TOO_OLD':
    case 'HEADER_TIMEWARP':
      return wrap('BLOCK_BAD_HEADER', 'time-too-old');
    case 'HEADER_TIME_TOO_NEW':
      return wrap('BLOCK_BAD_HEADER', 'time-too-new');
    case 'HEADER_BAD_VERSION':
      return wrap('BLOCK_BAD_HEADER', 'bad-version');
    case 'MERKLE_MISMATCH':
      return wrap('BLOCK_INVALID', 'bad-txnmrklroot');
    case 'BLOCK_MUTATED':
      return wrap('BLOCK_INVALID', 'bad-txns-duplicate');
    case 'MERKLE_64_BYTE_TX':
      return wrap('BLOCK_INVALID', 'bad-txns-64-byte');
    case 'BLOCK_BAD_WITNESS_COMMITMENT':
      return wrap('BLOCK_INVALID', 'bad-witness-merkle-match');
    case 'BLOCK_BAD_COINBASE':
      // a second coinbase is reported with its index; a missing first one without
      return wrap('BLOCK_INVALID', typeof error.details['index'] === 'number' ? 'bad-cb-multiple' : 'bad-cb-missing');
    default:
      return wrap('BLOCK_INVALID', 'block-validation-failed');
  }
}

/** The devnet's block store cannot be read: a file of another network, or corrupted. */
export class DevnetStoreError extends UtxoRelayError<'DEVNET_STORE_CORRUPT'> {
  override get docsPath(): string {
    return 'docs/devnet-errors.md#devnet-store-corrupt';
  }
}
