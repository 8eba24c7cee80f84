/**
 * Header validation throughput on the real mainnet run (80641..100000 from the checkpoint at
 * 80640), repeated to at least 200,000 validations, next to raw double-SHA256 of the same 80-byte
 * headers with node:crypto and with @noble/hashes; and bytes held per header at 1,000,000 headers.
 */
import { createHash, hash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '../proofs/bytes.js';
import { parseCheckpoints } from '../proofs/bitcoin/checkpoints.js';
import { encodeHeader, headerHash } from '../proofs/bitcoin/header.js';
import { HeaderChain } from '../proofs/bitcoin/header-chain.js';
import { MAINNET, REGTEST } from '../proofs/bitcoin/params.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from '../proofs/bitcoin/pow.js';
import { readFixtureText } from '../test/fixtures.js';
import { formatRate, gc, measureInterleaved, type Measurement, type SuiteResult } from './harness.js';

const MIN_VALIDATIONS = 200_000;

export function benchHeaders(log: (line: string) => void): SuiteResult {
  const lines = readFixtureText('bitcoin/btcrelay_mainnet_headers_bh80_100k.txt').trim().split('\n');
  const headers = lines.slice(80641 - 80001).map((l) => hexToBytes(l.trim()));
  const anchor = parseCheckpoints(readFixtureText('bitcoin/bitcoinj_org.bitcoin.production.checkpoints.txt')).find((c) => c.height === 80640)!;
  const repeats = Math.ceil(MIN_VALIDATIONS / headers.length);
  const ops = repeats * headers.length;
  const options = { now: () => 2_000_000_000 };

  const [validate, nodeOneShot, nodeCreateHash, noble] = measureInterleaved([
    {
      name: `HeaderChain.add, mainnet 80641..100000 x${repeats}`,
      ops,
      unit: 'headers/s',
      fn: () => {
        for (let r = 0; r < repeats; r++) {
          const chain = HeaderChain.fromAnchor(MAINNET, anchor, options);
          for (const h of headers) chain.add(h);
        }
      },
    },
    {
      name: 'raw sha256d, node:crypto hash() (same headers)',
      ops,
      unit: 'hashes/s',
      fn: () => {
        for (let r = 0; r < repeats; r++) for (const h of headers) hash('sha256', hash('sha256', h, 'buffer'), 'buffer');
      },
    },
    {
      name: 'raw sha256d, node:crypto createHash() (same headers)',
      ops,
      unit: 'hashes/s',
      fn: () => {
        for (let r = 0; r < repeats; r++) for (const h of headers) createHash('sha256').update(createHash('sha256').update(h).digest()).digest();
      },
    },
    {
      name: 'raw sha256d, @noble/hashes (same headers)',
      ops,
      unit: 'hashes/s',
      fn: () => {
        for (let r = 0; r < repeats; r++) for (const h of headers) nobleSha256(nobleSha256(h));
      },
    },
  ]) as [Measurement, Measurement, Measurement, Measurement];
  for (const m of [validate, nodeOneShot, nodeCreateHash, noble]) log(formatRate(m));
  const fastestRaw = Math.max(nodeOneShot.opsPerSec, nodeCreateHash.opsPerSec, noble.opsPerSec);
  const ratio = validate.opsPerSec / fastestRaw;
  log(`header validation / fastest raw sha256d: ${ratio.toFixed(3)} (target >= 0.5)`);

  const memory = bytesPerHeaderAtOneMillion(log);
  return {
    suite: 'headers',
    measurements: [validate, nodeOneShot, nodeCreateHash, noble],
    ratios: { validationVsFastestRawSha256d: ratio },
    figures: { validations: ops, ...memory },
    targets: [
      { name: 'header validation >= 0.5 x fastest raw sha256d', value: ratio, atLeast: 0.5, met: ratio >= 0.5 },
      { name: 'bytes per header at 1,000,000 headers <= 200', value: memory.bytesPerHeader, atLeast: -200, met: memory.bytesPerHeader <= 200 },
    ],
  };
}

/** Mines 1,000,000 regtest-difficulty headers, adds them all, and measures the memory they hold. */
function bytesPerHeaderAtOneMillion(log: (line: string) => void): { bytesPerHeader: number; headersHeld: number; regtestValidationsPerSec: number } {
  const count = 1_000_000;
  const t0 = Math.floor(Date.now() / 1000) - 2 * count;
  const targetLE = targetToLE(bitsToTarget(0x207fffff));
  const merkleRootLE = new Uint8Array(32);
  gc();
  const before = process.memoryUsage();
  const chain = HeaderChain.fromGenesis(REGTEST);
  let prevHashLE = headerHash(REGTEST.genesisHeader);
  let validationSeconds = 0;
  for (let i = 1; i <= count; i++) {
    let header80: Uint8Array;
    let hashLE: Uint8Array;
    for (let nonce = 0; ; nonce++) {
      header80 = encodeHeader({ version: 0x20000000, prevHashLE, merkleRootLE, time: t0 + i, bits: 0x207fffff, nonce });
      hashLE = headerHash(header80);
      if (hashMeetsTarget(hashLE, targetLE)) break;
    }
    const start = process.hrtime.bigint();
    chain.add(header80);
    validationSeconds += Number(process.hrtime.bigint() - start) / 1e9;
    prevHashLE = hashLE;
  }
  gc();
  const after = process.memoryUsage();
  const held = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers) + (after.external - before.external - (after.arrayBuffers - before.arrayBuffers));
  const bytesPerHeader = held / chain.size;
  log(`held at ${chain.size.toLocaleString('en-US')} headers: ${(held / 2 ** 20).toFixed(1)} MiB = ${bytesPerHeader.toFixed(1)} bytes/header (target <= 200)`);
  const regtestValidationsPerSec = count / validationSeconds;
  log(`(while filling: ${Math.round(regtestValidationsPerSec).toLocaleString('en-US')} regtest headers validated/s)`);
  if (chain.tipHeight !== count) throw new Error(`memory bench: expected tip ${count}, got ${chain.tipHeight}`);
  return { bytesPerHeader, headersHeld: chain.size, regtestValidationsPerSec };
}
