/**
 * Devnet block validation: a block of 2,000 P2WPKH spends submitted to a fresh DevnetChain
 * (transactions per second), next to the raw ECDSA verification rate of the same library
 * (@noble/curves through ledgers/bitcoin/signatures.ts) over the same 2,000 signatures.
 * Interleaved per run, medians of 3.
 */
import { decodeTransaction, type TxOutput } from '../proofs/bitcoin/transaction.js';
import { p2wpkhScriptCode } from '../ledgers/bitcoin/payments.js';
import { SIGHASH_ALL, sighashSegwitV0 } from '../ledgers/bitcoin/sighash.js';
import { hash160, verifyEcdsa } from '../ledgers/bitcoin/signatures.js';
import { DevnetChain } from '../ledgers/devnet/chain/devnet-chain.js';
import { TEST_NOW, Wallet, blockOn, fundWallet } from '../ledgers/devnet/test-utils.js';
import { formatRate, median, type Measurement, type SuiteResult } from './harness.js';

const SPENDS = 2_000;
const RUNS = 3;

export function benchDevnet(log: (line: string) => void): SuiteResult {
  const alice = Wallet.of('bench-alice');
  const bob = Wallet.of('bench-bob');
  // The setup chain, recorded as raw blocks so each run replays it into a fresh chain untimed.
  const setup = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 1 });
  const [coin] = fundWallet(setup, alice, 1);
  const outputs: TxOutput[] = Array.from({ length: SPENDS }, () => ({ value: 100_000n, scriptPubKey: alice.script }));
  outputs.push({ value: coin!.output.value - BigInt(SPENDS) * 100_000n - 200_000n, scriptPubKey: alice.script });
  const split = alice.spend([coin!], outputs);
  setup.generateBlock(alice.script, [split.bytes]);
  const setupBlocks = Array.from({ length: setup.tip().height }, (_, h) => setup.rawBlock(setup.blockHashAtHeight(h + 1)!)!);
  const spends = Array.from({ length: SPENDS }, (_, vout) => alice.spend([{ txidLE: split.txidLE, vout, output: split.tx.outputs[vout]! }], [{ value: 99_000n, scriptPubKey: bob.script }]));
  const block = blockOn(setup, spends, { fees: BigInt(SPENDS) * 1_000n });

  // the raw verification work the block needs: one ECDSA check per spend
  const checks = spends.map((s) => {
    const tx = decodeTransaction(s.bytes).tx;
    const [sig, pub] = tx.inputs[0]!.witness as [Uint8Array, Uint8Array];
    const msg = sighashSegwitV0(tx, 0, p2wpkhScriptCode(hash160(pub)), 100_000n, SIGHASH_ALL);
    return { der: sig.subarray(0, sig.length - 1), msg, pub };
  });

  const blockRates: number[] = [];
  const rawRates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 1 });
    for (const raw of setupBlocks) chain.submitBlock(raw);
    let start = process.hrtime.bigint();
    const result = chain.submitBlock(block);
    blockRates.push(SPENDS / (Number(process.hrtime.bigint() - start) / 1e9));
    if (!result.accepted) throw new Error(`bench block refused: ${result.reason}`);
    start = process.hrtime.bigint();
    for (const c of checks) if (!verifyEcdsa(c.der, c.msg, c.pub)) throw new Error('bench signature invalid');
    rawRates.push(SPENDS / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  const validate: Measurement = { name: `DevnetChain.submitBlock, ${SPENDS} P2WPKH spends`, opsPerSec: median(blockRates), runs: blockRates.map(Math.round), unit: 'tx/s' };
  const raw: Measurement = { name: `raw verifyEcdsa (@noble/curves), the same ${SPENDS} signatures`, opsPerSec: median(rawRates), runs: rawRates.map(Math.round), unit: 'sig/s' };
  log(formatRate(validate));
  log(formatRate(raw));
  const ratio = validate.opsPerSec / raw.opsPerSec;
  log(`block validation / raw signature verification: ${ratio.toFixed(3)}`);
  return { suite: 'devnet', measurements: [validate, raw], ratios: { blockValidationVsRawEcdsa: ratio }, figures: { spends: SPENDS, blockBytes: block.length }, targets: [] };
}
