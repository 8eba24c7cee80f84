/** `utxo-relay proof branch --txid T --index I --root R [--tx-count N] HASH...`: an Electrum-style branch. */
import { displayToHash, hashToDisplay } from '../../../proofs/bytes.js';
import { verifyMerkleBranch } from '../../../proofs/bitcoin/merkle.js';
import { UsageError } from '../usage-error.js';
import { integerOption } from './network-option.js';
import { printJson, printRefusal } from './output.js';

export interface ProofBranchOptions {
  readonly txid: string;
  readonly index: string;
  readonly root: string;
  readonly txCount?: string;
}

export function proofBranch(hashes: readonly string[], options: ProofBranchOptions): number {
  const leafLE = hashArg('--txid', options.txid);
  const rootLE = hashArg('--root', options.root);
  const index = integerOption('--index', options.index)!;
  const txCount = integerOption('--tx-count', options.txCount);
  const branchLE = hashes.map((h, i) => hashArg(`HASH ${i}`, h));
  try {
    verifyMerkleBranch({ leafLE, index, branchLE, rootLE, ...(txCount === undefined ? {} : { txCount }) });
    printJson({ txid: hashToDisplay(leafLE), index, root: hashToDisplay(rootLE), depth: branchLE.length });
    return 0;
  } catch (e) {
    return printRefusal({}, e, 'level');
  }
}

function hashArg(name: string, value: string): Uint8Array {
  try {
    return displayToHash(value, name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
