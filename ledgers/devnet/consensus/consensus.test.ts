import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concatBytes, equalBytes } from '../../../proofs/bytes.js';
import { headerHash } from '../../../proofs/bitcoin/header.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from '../../../proofs/bitcoin/pow.js';
import { assembleBlock } from '../miner.js';
import { DEVNET_BITS } from '../params.js';
import type { TxOutput } from '../../../proofs/bitcoin/transaction.js';
import { p2trKeyPathScriptPubKey, p2wshScriptPubKey } from '../../bitcoin/payments.js';
import { signTaprootKeyPathInput } from '../../bitcoin/sign-input.js';
import { xOnlyPublicKey } from '../../bitcoin/signatures.js';
import { decodeTransaction, encodeTransaction, type Transaction } from '../../../proofs/bitcoin/transaction.js';
import type { UtxoEntry } from '../chain-api.js';
import { DevnetChain } from '../chain/devnet-chain.js';
import { TEST_NOW, Wallet, blockOn, devKey, fundWallet, mutate, reasonOf, refusalOf } from '../test-utils.js';

const MATURITY = 10;

function setup(coins = 3): { chain: DevnetChain; alice: Wallet; bob: Wallet; coins: UtxoEntry[] } {
  const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: MATURITY });
  const alice = Wallet.of('alice');
  return { chain, alice, bob: Wallet.of('bob'), coins: fundWallet(chain, alice, coins) };
}

/** Submits a block; asserts it is refused with Core's `reason` and that the tip did not move. */
function assertBlockRefused(chain: DevnetChain, raw: Uint8Array, reason: string, code = reason === 'bad-txns-inputs-missingorspent' ? 'missing-inputs' : 'rejected'): void {
  const tip = chain.tip().hashLE;
  const result = chain.submitBlock(raw);
  assert.equal(result.accepted, false, `expected the block to be refused with ${reason}`);
  assert.equal(reasonOf(result), reason);
  assert.equal(result.accepted === false && result.code, code);
  assert.ok(equalBytes(chain.tip().hashLE, tip));
}

const p2pkh = (): Uint8Array => concatBytes(Uint8Array.of(0x76, 0xa9, 0x14), new Uint8Array(20).fill(7), Uint8Array.of(0x88, 0xac));

describe('consensus rules (main role)', () => {
  test('a valid spend is accepted by the mempool and in a block', () => {
    const { chain, alice, bob, coins } = setup(1);
    const spend = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_000n);
    const result = chain.acceptToMempool(spend.bytes);
    assert.equal(result.allowed, true);
    assert.equal(result.allowed && result.fee, 1_000n);
    const [hash] = chain.generate(1, alice.script);
    assert.equal(chain.transaction(spend.txidLE)?.blockHeight, chain.tip().height);
    assert.ok(equalBytes(chain.transaction(spend.txidLE)!.blockHashLE!, hash!));
    assert.equal(chain.utxo(coins[0]!.txidLE, coins[0]!.vout, false), undefined);
    assert.equal(chain.utxo(spend.txidLE, 0, false)?.output.value, 1_000_000n);
  });

  test('a bad signature: mandatory-script-verify-flag-failed, in the mempool and in a block', () => {
    const { chain, alice, bob, coins } = setup(1);
    const signed = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_000n);
    // the signature commits to output 0's value: change it and keep the witness
    const forged = mutate(signed, (tx) => ({ ...tx, outputs: [{ ...tx.outputs[0]!, value: 1_000_001n }, ...tx.outputs.slice(1)] }));
    const result = chain.acceptToMempool(forged.bytes);
    assert.equal(reasonOf(result), 'mandatory-script-verify-flag-failed');
    assert.equal(result.allowed === false && result.code, 'rejected');
    assert.equal(chain.mempool().length, 0);

    const error = refusalOf(() => chain.generateBlock(alice.script, [forged.bytes]));
    assert.equal(error.code, 'TX_SCRIPT_FAILED');
    assert.equal(error.details['scriptError'], 'SCRIPT_BAD_SIGNATURE');
    assert.equal(error.details['txIndex'], 1);
    const raw = blockOn(chain, [forged], { fees: 999n });
    assertBlockRefused(chain, raw, 'mandatory-script-verify-flag-failed');
    assert.equal(chain.blockInfo(headerHash(raw.subarray(0, 80)))?.status, 'invalid', 'a block that fails to connect is held as invalid');
    assert.equal(reasonOf(chain.submitBlock(raw)), 'duplicate-invalid');
  });

  test('a double spend inside one block', () => {
    const { chain, alice, bob, coins } = setup(1);
    const a = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_000n);
    const b = alice.pay(coins[0]!, bob.script, 2_000_000n, 1_000n);
    const error = refusalOf(() => chain.generateBlock(alice.script, [a.bytes, b.bytes]));
    assert.equal(error.code, 'TX_MISSING_INPUTS');
    assert.equal(error.rejectCode, 'missing-inputs');
    assert.equal(error.details['txIndex'], 2);
    assertBlockRefused(chain, blockOn(chain, [a, b], { fees: 2_000n }), 'bad-txns-inputs-missingorspent');
  });

  test('a double spend across blocks', () => {
    const { chain, alice, bob, coins } = setup(1);
    const a = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_000n);
    const b = alice.pay(coins[0]!, bob.script, 2_000_000n, 1_000n);
    chain.generateBlock(alice.script, [a.bytes]);
    assert.equal(reasonOf(chain.acceptToMempool(b.bytes)), 'bad-txns-inputs-missingorspent');
    assert.equal(refusalOf(() => chain.generateBlock(alice.script, [b.bytes])).code, 'TX_MISSING_INPUTS');
    assertBlockRefused(chain, blockOn(chain, [b], { fees: 1_000n }), 'bad-txns-inputs-missingorspent');
    // the transaction that is mined cannot be sent again
    const again = chain.acceptToMempool(a.bytes);
    assert.equal(again.allowed === false && again.code, 'already-in-chain');
  });

  test('an immature coinbase spend, and the same spend once mature', () => {
    const chain = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: MATURITY });
    const alice = Wallet.of('alice');
    chain.generate(1, alice.script);
    const coinHeight = chain.tip().height;
    chain.generate(MATURITY - 2, Wallet.of('burner').script);
    const [coin] = chain.utxosByScript(alice.script);
    assert.equal(coin!.coinbase, true);
    const spend = alice.pay(coin!, Wallet.of('bob').script, 1_000_000n, 1_000n);
    // the next block is at coinHeight + MATURITY - 1: one confirmation short
    assert.equal(chain.tip().height + 1 - coinHeight, MATURITY - 1);
    assert.equal(reasonOf(chain.acceptToMempool(spend.bytes)), 'bad-txns-premature-spend-of-coinbase');
    assert.equal(refusalOf(() => chain.generateBlock(alice.script, [spend.bytes])).code, 'TX_PREMATURE_COINBASE_SPEND');
    assertBlockRefused(chain, blockOn(chain, [spend], { fees: 1_000n }), 'bad-txns-premature-spend-of-coinbase');
    chain.generate(1, Wallet.of('burner').script);
    assert.equal(chain.acceptToMempool(spend.bytes).allowed, true);
  });

  test('value created: outputs above inputs', () => {
    const { chain, alice, bob, coins } = setup(1);
    const greedy = alice.spend([coins[0]!], [{ value: coins[0]!.output.value + 1n, scriptPubKey: bob.script }]);
    assert.equal(reasonOf(chain.acceptToMempool(greedy.bytes)), 'bad-txns-in-belowout');
    assert.equal(refusalOf(() => chain.generateBlock(alice.script, [greedy.bytes])).code, 'TX_VALUE_CREATED');
    assertBlockRefused(chain, blockOn(chain, [greedy]), 'bad-txns-in-belowout');
  });

  test('a non-standard output is refused (scriptpubkey); P2WSH, P2TR and OP_RETURN outputs are standard', () => {
    const { chain, alice, coins } = setup(2);
    const legacy = alice.spend([coins[0]!], [{ value: 1_000_000n, scriptPubKey: p2pkh() }]);
    const result = chain.acceptToMempool(legacy.bytes);
    assert.equal(reasonOf(result), 'scriptpubkey');
    const error = refusalOf(() => chain.generateBlock(alice.script, [legacy.bytes]));
    assert.equal(error.code, 'TX_NONSTANDARD_OUTPUT');
    const raw = blockOn(chain, [legacy], { fees: coins[0]!.output.value - 1_000_000n });
    assertBlockRefused(chain, raw, 'scriptpubkey');
    assert.equal(chain.blockInfo(headerHash(raw.subarray(0, 80))), undefined, 'refused before storage');

    const outputs: TxOutput[] = [
      { value: 100_000n, scriptPubKey: p2wshScriptPubKey(Uint8Array.of(0x51)) },
      { value: 100_000n, scriptPubKey: p2trKeyPathScriptPubKey(xOnlyPublicKey(devKey('taproot'))) },
      { value: 0n, scriptPubKey: Uint8Array.of(0x6a, 0x02, 0xbe, 0xef) },
    ];
    assert.equal(chain.acceptToMempool(alice.spend([coins[1]!], outputs).bytes).allowed, true);
  });

  test('a P2TR key-path output can be spent', () => {
    const { chain, alice, bob, coins } = setup(1);
    const key = devKey('taproot-owner');
    const script = p2trKeyPathScriptPubKey(xOnlyPublicKey(key));
    const fund = alice.spend([coins[0]!], [{ value: 1_000_000n, scriptPubKey: script }]);
    chain.generateBlock(alice.script, [fund.bytes]);
    const spent = chain.utxo(fund.txidLE, 0, false)!;
    const unsigned: Transaction = {
      version: 2,
      inputs: [{ prevTxidLE: fund.txidLE, prevVout: 0, scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
      outputs: [{ value: 990_000n, scriptPubKey: bob.script }],
      locktime: 0,
    };
    const witness = signTaprootKeyPathInput(unsigned, 0, [spent.output], key);
    const tx = decodeTransaction(encodeTransaction({ ...unsigned, inputs: [{ ...unsigned.inputs[0]!, witness }] }, { witness: true }));
    assert.equal(chain.acceptToMempool(tx.bytes).allowed, true);
    chain.generate(1, alice.script);
    assert.equal(chain.utxo(tx.txidLE, 0, false)?.output.value, 990_000n);
  });

  test('a coinbase paying more than subsidy + fees: bad-cb-amount', () => {
    const { chain, alice, bob, coins } = setup(1);
    const spend = alice.pay(coins[0]!, bob.script, 1_000_000n, 1_000n);
    const subsidy = chain.network.subsidy(chain.tip().height + 1);
    assertBlockRefused(chain, blockOn(chain, [spend], { coinbaseValue: subsidy + 1_001n }), 'bad-cb-amount');
    assertBlockRefused(chain, blockOn(chain, [], { coinbaseValue: subsidy + 1n }), 'bad-cb-amount');
    // exactly subsidy + fees, and less, are fine
    assert.equal(chain.submitBlock(blockOn(chain, [spend], { coinbaseValue: subsidy + 1_000n })).accepted, true);
    assert.equal(chain.submitBlock(blockOn(chain, [], { coinbaseValue: 0n })).accepted, true);
  });

  test('a wrong BIP34 height in the coinbase: bad-cb-height', () => {
    const { chain } = setup(0);
    const height = chain.tip().height + 1;
    assertBlockRefused(chain, blockOn(chain, [], { statedHeight: height + 1 }), 'bad-cb-height');
    assertBlockRefused(chain, blockOn(chain, [], { statedHeight: height - 1 }), 'bad-cb-height');
    assert.equal(chain.submitBlock(blockOn(chain, [], { statedHeight: height })).accepted, true);
  });

  test('finality by nLockTime: non-final in the mempool, bad-txns-nonfinal in a block', () => {
    const { chain, alice, bob, coins } = setup(2);
    const next = chain.tip().height + 1;
    const locked = alice.spend([coins[0]!], [{ value: 1_000_000n, scriptPubKey: bob.script }], { locktime: next });
    assert.equal(reasonOf(chain.acceptToMempool(locked.bytes)), 'non-final');
    assertBlockRefused(chain, blockOn(chain, [locked], { fees: coins[0]!.output.value - 1_000_000n }), 'bad-txns-nonfinal');
    // the final sequence disables the lock time
    const finalSeq = alice.spend([coins[1]!], [{ value: 1_000_000n, scriptPubKey: bob.script }], { locktime: next + 5, sequence: 0xffffffff });
    assert.equal(chain.acceptToMempool(finalSeq.bytes).allowed, true);
    chain.generate(1, alice.script);
    assert.equal(chain.acceptToMempool(locked.bytes).allowed, true, 'final once the height passes the lock time');
  });

  test('header rules: unknown parent, bad PoW, time too far ahead, malformed bytes', () => {
    const { chain } = setup(0);
    const orphan = blockOn(chain, [], {});
    const unknownParent = assembleBlock({
      prevHashLE: new Uint8Array(32).fill(9),
      height: 5,
      time: TEST_NOW(),
      transactions: [],
      coinbaseOutputs: [{ value: 0n, scriptPubKey: Wallet.of('x').script }],
      extraNonce: 1n,
    });
    assertBlockRefused(chain, unknownParent, 'prev-blk-not-found');
    // the next nonces until one misses the target
    const badPow = orphan.slice();
    const view = new DataView(badPow.buffer);
    const target = targetToLE(bitsToTarget(DEVNET_BITS));
    do view.setUint32(76, view.getUint32(76, true) + 1, true);
    while (hashMeetsTarget(headerHash(badPow.subarray(0, 80)), target));
    assertBlockRefused(chain, badPow, 'high-hash');
    const future = blockOn(chain, [], { time: TEST_NOW() + 2 * 60 * 60 + 1 });
    assertBlockRefused(chain, future, 'time-too-new');
    const malformed = chain.submitBlock(Uint8Array.of(1, 2, 3));
    assert.equal(malformed.accepted === false && malformed.code, 'malformed');
    assert.equal(chain.submitBlock(orphan).accepted, true);
    assert.equal(chain.submitBlock(orphan).accepted, true, 'a held block is accepted again');
  });

  test('a transaction may spend an output created earlier in the same block', () => {
    const { chain, alice, bob, coins } = setup(1);
    const parent = alice.pay(coins[0]!, alice.script, 10_000_000n, 1_000n);
    const child = alice.pay({ txidLE: parent.txidLE, vout: 0, output: parent.tx.outputs[0]! }, bob.script, 5_000_000n, 1_000n);
    chain.generateBlock(alice.script, [parent.bytes, child.bytes]);
    assert.equal(chain.utxo(child.txidLE, 0, false)?.output.value, 5_000_000n);
    assert.equal(chain.utxo(parent.txidLE, 0, false), undefined);
    // the other order spends an output that does not exist yet
    const { chain: other, alice: a2, bob: b2, coins: c2 } = setup(1);
    const p2 = a2.pay(c2[0]!, a2.script, 10_000_000n, 1_000n);
    const k2 = a2.pay({ txidLE: p2.txidLE, vout: 0, output: p2.tx.outputs[0]! }, b2.script, 5_000_000n, 1_000n);
    assert.equal(refusalOf(() => other.generateBlock(a2.script, [k2.bytes, p2.bytes])).code, 'TX_MISSING_INPUTS');
  });
});
