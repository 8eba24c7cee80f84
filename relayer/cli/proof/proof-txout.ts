/**
 * `utxo-relay proof txout --network <net> HEX`: a merkleblock (gettxoutproof) payload: the partial
 * Merkle tree against the header's root, and the header's proof of work.
 */
import { hashToDisplay } from '../../../proofs/bytes.js';
import { checkHeaderPow, TargetCache } from '../../../proofs/bitcoin/header-pow.js';
import { verifyMerkleBlock } from '../../../proofs/bitcoin/merkle-block.js';
import { resolveNetwork } from './network-option.js';
import { printJson, printRefusal } from './output.js';
import { readBytesArg } from './read-bytes-arg.js';

export function proofTxout(hex: string, options: { network: string }): number {
  const params = resolveNetwork(options.network);
  const bytes = readBytesArg('HEX', hex, false);
  try {
    const proof = verifyMerkleBlock(bytes);
    checkHeaderPow(params, new TargetCache(params), proof.header80, proof.blockHashLE);
    printJson({ blockHash: hashToDisplay(proof.blockHashLE), matched: proof.matched.map((m) => hashToDisplay(m.txidLE)) });
    return 0;
  } catch (e) {
    return printRefusal({}, e, 0);
  }
}
