/**
 * Merkle branch verification on mainnet block 413567 (1557 transactions: depth 11), every
 * transaction's branch in turn, next to the raw hashing a verification needs: 11 double-SHA256 of
 * 64 bytes with node:crypto, the same primitive the verifier uses.
 */
import { hash } from 'node:crypto';
import { decodeBlock } from '../proofs/bitcoin/block.js';
import { merkleBranches, verifyMerkleBranch } from '../proofs/bitcoin/merkle.js';
import { readFixture } from '../test/fixtures.js';
import { formatRate, measureInterleaved, type Measurement, type SuiteResult } from './harness.js';

export function benchMerkle(log: (line: string) => void): SuiteResult {
  const block = decodeBlock(readFixture('bitcoin/block413567.raw'));
  const txids = block.transactions.map((t) => t.txidLE);
  const rootLE = block.header.merkleRootLE;
  const branches = merkleBranches(txids);
  const depth = branches[0]!.length;
  const rounds = 40;
  const ops = rounds * txids.length;

  const buf = new Uint8Array(64);
  const [verify, raw] = measureInterleaved([
    {
      name: `verifyMerkleBranch, depth ${depth}, ${txids.length} txs x${rounds}`,
      ops,
      unit: 'branches/s',
      fn: () => {
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < txids.length; i++) verifyMerkleBranch({ leafLE: txids[i]!, index: i, branchLE: branches[i]!, rootLE, txCount: txids.length });
        }
      },
    },
    {
      name: `raw: ${depth} x sha256d(64 bytes), node:crypto`,
      ops,
      unit: 'branches/s',
      fn: () => {
        for (let r = 0; r < rounds; r++) {
          for (let i = 0; i < txids.length; i++) {
            let node: Uint8Array = txids[i]!;
            for (const sibling of branches[i]!) {
              buf.set(node, 0);
              buf.set(sibling, 32);
              node = hash('sha256', hash('sha256', buf, 'buffer'), 'buffer');
            }
          }
        }
      },
    },
  ]) as [Measurement, Measurement];
  log(formatRate(verify));
  log(formatRate(raw));
  const ratio = verify.opsPerSec / raw.opsPerSec;
  log(`branch verification / raw hashing: ${ratio.toFixed(3)}`);
  return { suite: 'merkle', measurements: [verify, raw], ratios: { verificationVsRawHashing: ratio }, figures: { depth, txCount: txids.length }, targets: [] };
}
