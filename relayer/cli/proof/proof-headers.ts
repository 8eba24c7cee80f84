/**
 * `utxo-relay proof headers --network <net> [--anchor-height H] FILE`: validates a file of hex
 * headers (one a line, `fork:` marks a header on another branch; `-` reads stdin) with the
 * HeaderChain, streaming the input line by line.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { hashToDisplay } from '../../../proofs/bytes.js';
import { headerFromHex, readHeaderBits } from '../../../proofs/bitcoin/header.js';
import { HeaderChain } from '../../../proofs/bitcoin/header-chain.js';
import { workForBits } from '../../../proofs/bitcoin/pow.js';
import { UsageError } from '../usage-error.js';
import { integerOption, resolveNetwork } from './network-option.js';
import { printJson, printRefusal } from './output.js';

export interface ProofHeadersOptions {
  readonly network: string;
  readonly anchorHeight?: string;
}

export async function proofHeaders(file: string, options: ProofHeadersOptions): Promise<number> {
  const params = resolveNetwork(options.network);
  const anchorHeight = integerOption('--anchor-height', options.anchorHeight);
  if (file !== '-' && !existsSync(file)) throw new UsageError(`FILE: ${file} does not exist`);
  const input = file === '-' ? process.stdin : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });

  let chain: HeaderChain | undefined = anchorHeight === undefined ? HeaderChain.fromGenesis(params) : undefined;
  let index = 0;
  let accepted = 0;
  let reorgs = 0;
  const summary = (): Record<string, unknown> => ({
    accepted,
    tip: chain === undefined ? null : { height: chain.tipHeight, hash: hashToDisplay(chain.tip.hashLE) },
    reorgs,
  });
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '') continue;
      const header80 = headerFromHex(line.startsWith('fork:') ? line.slice(5) : line);
      if (chain === undefined) {
        // the first header is the trusted anchor; its own work stands in for the unknown chain work
        chain = HeaderChain.fromAnchor(params, { header80, height: anchorHeight!, chainWork: workForBits(readHeaderBits(header80)) });
      } else {
        const result = chain.add(header80);
        if (result.status !== 'duplicate') accepted++;
        if (result.status === 'reorg') reorgs++;
      }
      index++;
    }
  } catch (e) {
    lines.close();
    return printRefusal(summary(), e, index);
  }
  if (chain === undefined) throw new UsageError('FILE: no headers (the anchor header is missing)');
  printJson(summary());
  return 0;
}
