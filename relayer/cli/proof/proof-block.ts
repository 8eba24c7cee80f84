/** `utxo-relay proof block --network <net> FILE_OR_HEX`: context-free checks of a full block. */
import { hashToDisplay } from '../../../proofs/bytes.js';
import { verifyBlock } from '../../../proofs/bitcoin/block.js';
import { resolveNetwork } from './network-option.js';
import { printJson, printRefusal } from './output.js';
import { readBytesArg } from './read-bytes-arg.js';

export function proofBlock(input: string, options: { network: string }): number {
  const params = resolveNetwork(options.network);
  const bytes = readBytesArg('FILE_OR_HEX', input, true);
  try {
    const block = verifyBlock(bytes, { powLimit: params.powLimit, powHash: params.powHash });
    printJson({
      hash: hashToDisplay(block.hashLE),
      txCount: block.txCount,
      merkleRoot: hashToDisplay(block.merkleRootLE),
      height: block.height ?? null,
    });
    return 0;
  } catch (e) {
    return printRefusal({}, e, 'index');
  }
}
