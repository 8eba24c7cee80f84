/**
 * Checkpoint files: trusted (height, chain work, header) triples from which a HeaderChain can
 * start instead of genesis. Reads bitcoinj's "TXT CHECKPOINTS 1" format: a line with the format
 * name, a line with the number of signatures (must be 0: we verify nothing about signers, the
 * operator trusts the file it ships), a line with the record count, then one base64 record a line:
 * chain work (12 bytes, big-endian) | height (4 bytes, big-endian) | header (80 bytes).
 */
import { base64 } from '@scure/base';
import { ProofError } from '../errors.js';
import type { Anchor } from './header-chain.js';

export function parseCheckpoints(text: string): Anchor[] {
  const bad = (line: number, message: string): never => {
    throw new ProofError('ANCHOR_INVALID', `checkpoints line ${line}: ${message}`, { details: { line } });
  };
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines[0]?.trim() !== 'TXT CHECKPOINTS 1') bad(1, 'expected the header "TXT CHECKPOINTS 1"');
  if (lines[1]?.trim() !== '0') bad(2, 'expected 0 signatures');
  const count = Number(lines[2]?.trim());
  if (!Number.isSafeInteger(count) || count < 0 || lines.length !== count + 3) {
    bad(3, `expected a record count matching the ${lines.length - 3} record lines`);
  }
  const anchors: Anchor[] = [];
  for (let k = 0; k < count; k++) {
    const lineNo = k + 4;
    let record: Uint8Array;
    try {
      record = base64.decode(lines[k + 3]!.trim());
    } catch {
      return bad(lineNo, 'not base64');
    }
    if (record.length !== 96) bad(lineNo, `expected a 96-byte record, got ${record.length}`);
    let chainWork = 0n;
    for (let i = 0; i < 12; i++) chainWork = (chainWork << 8n) | BigInt(record[i]!);
    const height = new DataView(record.buffer, record.byteOffset + 12, 4).getUint32(0, false);
    if (anchors.length > 0 && height <= anchors[anchors.length - 1]!.height) bad(lineNo, 'heights must increase');
    anchors.push({ chainWork, height, header80: record.slice(16, 96) });
  }
  return anchors;
}
