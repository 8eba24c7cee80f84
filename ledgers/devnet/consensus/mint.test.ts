import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { equalBytes } from '../../../proofs/bytes.js';
import { verifyBlock } from '../../../proofs/bitcoin/block.js';
import type { HeaderChain } from '../../../proofs/bitcoin/header-chain.js';
import { encodeTransaction, type DecodedTransaction, type TxOutput } from '../../../proofs/bitcoin/transaction.js';
import type { Federation, LockType } from '../../bitcoin/lock-script.js';
import { signSchnorr } from '../../bitcoin/signatures.js';
import { DevnetChain } from '../chain/devnet-chain.js';
import { DEVNET_SIDE } from '../params.js';
import {
  TEST_NOW,
  Wallet,
  blockOn,
  buildMint,
  devKey,
  followMain,
  fundWallet,
  lockTransaction,
  proofOf,
  reasonOf,
  refusalOf,
  syncHeaders,
  testFederation,
  type LockProof,
  type MintSpec,
} from '../test-utils.js';
import { mintSignatureMessage } from './mint.js';

const LOCKED = 1_000_000n;
const MINT_FEE = 2_000n;

interface Peg {
  main: DevnetChain;
  side: DevnetChain;
  mainHeaders: HeaderChain;
  federation: Federation;
  keys: Uint8Array[];
  user: Wallet;
  dest: Wallet;
  lock: DecodedTransaction;
  proof: LockProof;
  /** A mint spec of the lock, paying LOCKED - MINT_FEE to dest. */
  spec: MintSpec;
  mint(overrides?: Partial<MintSpec>): DecodedTransaction;
}

/** A main chain with one mined lock (2-of-3 federation), its header chain, and a side chain following it. */
function pegSetup(options: { lockType?: LockType; pegConfirmations?: number; lockScript?: Uint8Array } = {}): Peg {
  const { federation, privateKeys: keys } = testFederation(2, 3, options.lockType ?? 'taproot');
  const main = DevnetChain.create({ role: 'main', now: TEST_NOW, coinbaseMaturity: 5 });
  const user = Wallet.of('user');
  const dest = Wallet.of('side-user');
  const [coin] = fundWallet(main, user, 1);
  const lock = lockTransaction(user, coin!, federation, LOCKED, dest.script, options.lockScript === undefined ? {} : { lockScript: options.lockScript });
  assert.equal(main.acceptToMempool(lock.bytes).allowed, true);
  main.generate(1, Wallet.of('main-miner').script);
  const mainHeaders = followMain(main);
  const side = DevnetChain.create({ role: 'side', federation, mainChain: mainHeaders, now: TEST_NOW, coinbaseMaturity: 5, ...(options.pegConfirmations === undefined ? {} : { pegConfirmations: options.pegConfirmations }) });
  const proof = proofOf(main, lock.txidLE);
  const spec: MintSpec = { lockTxidLE: lock.txidLE, lockVout: 0, outputs: [{ value: LOCKED - MINT_FEE, scriptPubKey: dest.script }], proof };
  return { main, side, mainHeaders, federation, keys, user, dest, lock, proof, spec, mint: (o = {}) => buildMint(federation, keys, { ...spec, ...o }) };
}

/** Asserts a mint is refused with `code` by the mempool (Core-like `reason`), by generateBlock and by a submitted block. */
function assertMintRefused(peg: Peg, mint: DecodedTransaction, code: string, reason: string): void {
  const { side } = peg;
  const result = side.acceptToMempool(mint.bytes);
  assert.equal(result.allowed, false, `mempool accepted a mint that should fail with ${code}`);
  assert.equal(reasonOf(result), reason);
  const error = refusalOf(() => side.generateBlock(Wallet.of('side-miner').script, [mint.bytes]));
  assert.equal(error.code, code);
  const tip = side.tip().hashLE;
  const block = side.submitBlock(blockOn(side, [mint], { coinbaseValue: 0n }));
  assert.equal(block.accepted, false);
  assert.equal(reasonOf(block), reason);
  assert.ok(equalBytes(side.tip().hashLE, tip));
  assert.equal(side.claimOf(peg.lock.txidLE, 0), undefined);
}

describe('side role: peg-in mints', () => {
  for (const lockType of ['taproot', 'p2wsh'] as const) {
    test(`a valid mint of a ${lockType} lock is accepted, mined, and claims the lock outpoint`, () => {
      const peg = pegSetup({ lockType });
      const { side, dest, lock } = peg;
      const mint = peg.mint();
      const result = side.acceptToMempool(mint.bytes);
      assert.equal(result.allowed, true, reasonOf(result));
      assert.equal(result.allowed && result.fee, MINT_FEE);
      assert.ok(equalBytes(side.claimOf(lock.txidLE, 0)!.mintTxidLE, mint.txidLE));
      assert.equal(side.claimOf(lock.txidLE, 0)!.blockHashLE, undefined, 'claimed in the mempool only');
      const [hash] = side.generate(1, Wallet.of('side-miner').script);
      const block = verifyBlock(side.rawBlock(hash!)!, { powLimit: DEVNET_SIDE.powLimit });
      assert.equal(block.txCount, 2);
      assert.equal(block.transactions[0]!.tx.outputs[0]!.value, MINT_FEE, 'no subsidy: the coinbase earns the mint fee');
      const claim = side.claimOf(lock.txidLE, 0)!;
      assert.ok(equalBytes(claim.blockHashLE!, hash!));
      assert.equal(claim.height, 1);
      assert.equal(side.claimCount, 1);
      assert.deepEqual(side.utxosByScript(dest.script).map((u) => u.output.value), [LOCKED - MINT_FEE]);
    });
  }

  test('a mint may carry zero-value OP_RETURN outputs after output 0, and pay less than the lock', () => {
    const peg = pegSetup();
    const outputs: TxOutput[] = [
      { value: 500_000n, scriptPubKey: peg.dest.script },
      { value: 0n, scriptPubKey: Uint8Array.of(0x6a, 0x01, 0x01) },
    ];
    assert.equal(peg.side.acceptToMempool(peg.mint({ outputs }).bytes).allowed, true);
  });

  test('a second claim of a lock outpoint: in the same block, in a later block, in the mempool', () => {
    const peg = pegSetup();
    const { side, lock } = peg;
    const first = peg.mint();
    const second = peg.mint({ outputs: [{ value: LOCKED - 3_000n, scriptPubKey: peg.dest.script }] });
    assert.ok(!equalBytes(first.txidLE, second.txidLE));
    const miner = Wallet.of('side-miner').script;

    // same block
    const sameBlock = refusalOf(() => side.generateBlock(miner, [first.bytes, second.bytes]));
    assert.equal(sameBlock.code, 'MINT_ALREADY_CLAIMED');
    assert.equal(sameBlock.details['txIndex'], 2);
    assert.equal(reasonOf(side.submitBlock(blockOn(side, [first, second], { coinbaseValue: 0n }))), 'mint-already-claimed');

    // the mempool
    assert.equal(side.acceptToMempool(first.bytes).allowed, true);
    assert.equal(reasonOf(side.acceptToMempool(second.bytes)), 'mint-already-claimed');

    // a later block
    side.generate(1, miner);
    assert.ok(side.claimOf(lock.txidLE, 0)?.blockHashLE !== undefined);
    assert.equal(reasonOf(side.acceptToMempool(second.bytes)), 'mint-already-claimed');
    assert.equal(refusalOf(() => side.generateBlock(miner, [second.bytes])).code, 'MINT_ALREADY_CLAIMED');
    assert.equal(reasonOf(side.submitBlock(blockOn(side, [second], { coinbaseValue: 0n }))), 'mint-already-claimed');
    // and the mined mint itself cannot be sent again
    const again = side.acceptToMempool(first.bytes);
    assert.equal(again.allowed === false && again.code, 'already-in-chain');
  });

  test('a mint above the locked amount', () => {
    const peg = pegSetup();
    assertMintRefused(peg, peg.mint({ outputs: [{ value: LOCKED + 1n, scriptPubKey: peg.dest.script }] }), 'MINT_AMOUNT_TOO_HIGH', 'mint-amount-too-high');
  });

  test('a mint with M-1 signatures', () => {
    const peg = pegSetup();
    assertMintRefused(peg, peg.mint({ signers: [1] }), 'MINT_BAD_SIGNATURES', 'mint-bad-signatures');
    // M signatures by any M keys are fine
    assert.equal(peg.side.testAccept(peg.mint({ signers: [1, 2] }).bytes).allowed, true);
    assert.equal(peg.side.testAccept(peg.mint({ signers: [0, 1, 2] }).bytes).allowed, true);
  });

  test('a duplicated signer: the same signature in two slots does not count twice', () => {
    const peg = pegSetup();
    const unsignedTxid = peg.mint().txidLE; // the txid does not commit to the witness
    const sig0 = signSchnorr(mintSignatureMessage(unsignedTxid), peg.keys[0]!, new Uint8Array(32));
    const mint = peg.mint({ signers: [0], slotOverride: new Map([[1, sig0]]) });
    assert.ok(equalBytes(mint.txidLE, unsignedTxid));
    assertMintRefused(peg, mint, 'MINT_BAD_SIGNATURES', 'mint-bad-signatures');
    assert.equal(refusalOf(() => peg.side.generateBlock(Wallet.of('m').script, [mint.bytes])).details['slot'], 1);
  });

  test('an invalid signature in a slot fails the mint even with M valid ones', () => {
    const peg = pegSetup();
    const txid = peg.mint().txidLE;
    const outsider = signSchnorr(mintSignatureMessage(txid), devKey('not-in-the-federation'), new Uint8Array(32));
    assertMintRefused(peg, peg.mint({ signers: [0, 1], slotOverride: new Map([[2, outsider]]) }), 'MINT_BAD_SIGNATURES', 'mint-bad-signatures');
    // a signature by the right key over another message
    const wrongMessage = signSchnorr(mintSignatureMessage(new Uint8Array(32)), peg.keys[2]!, new Uint8Array(32));
    assertMintRefused(peg, peg.mint({ signers: [0, 1], slotOverride: new Map([[2, wrongMessage]]) }), 'MINT_BAD_SIGNATURES', 'mint-bad-signatures');
  });

  test("a mint whose proof is not on the main chain's best chain (the main header chain reorged)", () => {
    const peg = pegSetup();
    const { main, side, mainHeaders } = peg;
    const mint = peg.mint();
    assert.equal(side.testAccept(mint.bytes).allowed, true);
    // a longer main branch from below the lock's block
    const lockBlock = main.transaction(peg.lock.txidLE)!.blockHashLE!;
    const parent = main.blockInfo(lockBlock)!.prevHashLE;
    main.generateOn(parent, 2, Wallet.of('attacker').script);
    assert.equal(main.transaction(peg.lock.txidLE)?.blockHashLE, undefined, 'the lock left the main best chain');
    syncHeaders(main, mainHeaders);
    assert.equal(mainHeaders.isOnBestChain(lockBlock), false);
    assertMintRefused(peg, mint, 'MINT_BAD_PROOF', 'mint-bad-proof');
    assert.equal(refusalOf(() => side.generateBlock(Wallet.of('m').script, [mint.bytes])).details['proofError'], 'NOT_ON_BEST_CHAIN');
  });

  test('a mempool mint whose proof stops holding (main reorg) is dropped before mining', () => {
    const peg = pegSetup();
    const { main, side, mainHeaders } = peg;
    const mint = peg.mint();
    assert.equal(side.acceptToMempool(mint.bytes).allowed, true);
    const lockBlock = main.transaction(peg.lock.txidLE)!.blockHashLE!;
    main.generateOn(main.blockInfo(lockBlock)!.prevHashLE, 2, Wallet.of('attacker').script);
    syncHeaders(main, mainHeaders);
    const [hash] = side.generate(1, Wallet.of('side-miner').script);
    assert.equal(side.blockInfo(hash!)!.txCount, 1, 'mined without the mint');
    assert.equal(side.mempool().length, 0);
    assert.equal(side.claimOf(peg.lock.txidLE, 0), undefined);
  });

  test('a mint whose lock has fewer confirmations than --peg-confirmations', () => {
    const peg = pegSetup({ pegConfirmations: 3 });
    const mint = peg.mint();
    const error = refusalOf(() => peg.side.generateBlock(Wallet.of('m').script, [mint.bytes]));
    assert.equal(error.code, 'MINT_BAD_PROOF');
    assert.equal(error.details['proofError'], 'INSUFFICIENT_CONFIRMATIONS');
    peg.main.generate(2, Wallet.of('main-miner').script);
    syncHeaders(peg.main, peg.mainHeaders);
    assert.equal(peg.side.acceptToMempool(mint.bytes).allowed, true);
  });

  test('a mint whose destination differs from the memo', () => {
    const peg = pegSetup();
    assertMintRefused(peg, peg.mint({ outputs: [{ value: LOCKED - MINT_FEE, scriptPubKey: Wallet.of('thief').script }] }), 'MINT_BAD_DESTINATION', 'mint-bad-destination');
  });

  test('a mint of a lock paying another script', () => {
    const peg = pegSetup({ lockScript: Wallet.of('not-the-federation').script });
    assertMintRefused(peg, peg.mint(), 'MINT_BAD_LOCK', 'mint-bad-lock');
  });

  test('a mint with other outputs than zero-value OP_RETURNs after output 0', () => {
    const peg = pegSetup();
    const outputs: TxOutput[] = [
      { value: 500_000n, scriptPubKey: peg.dest.script },
      { value: 400_000n, scriptPubKey: Wallet.of('extra').script },
    ];
    assertMintRefused(peg, peg.mint({ outputs }), 'MINT_BAD_OUTPUTS', 'mint-bad-outputs');
  });

  test('a mint of another output of the lock transaction, or a forged proof', () => {
    const peg = pegSetup();
    // output 1 is the memo: not the lock script
    assertMintRefused(peg, peg.mint({ lockVout: 1 }), 'MINT_BAD_LOCK', 'mint-bad-lock');
    // the proof of another transaction (the coinbase) for this outpoint
    const coinbaseProof: LockProof = { ...peg.proof, lockTx: peg.proof.coinbase };
    assertMintRefused(peg, peg.mint({ proof: coinbaseProof }), 'MINT_BAD_PROOF', 'mint-bad-proof');
    // a merkleblock of a block the main header chain does not hold
    const unknown = peg.proof.merkleBlock.slice();
    unknown[4] = unknown[4]! ^ 1; // another previous hash: another block hash (its PoW is not checked by the merkleblock)
    assertMintRefused(peg, peg.mint({ proof: { ...peg.proof, merkleBlock: unknown } }), 'MINT_BAD_PROOF', 'mint-bad-proof');
  });

  test('a peg-in input mixed with ordinary inputs is malformed; a main chain knows no peg-ins', () => {
    const peg = pegSetup();
    const mint = peg.mint();
    const mixed = { ...mint.tx, inputs: [...mint.tx.inputs, { ...mint.tx.inputs[0]!, prevTxidLE: new Uint8Array(32).fill(3) }] };
    const error = refusalOf(() => peg.side.generateBlock(Wallet.of('m').script, [encode(mixed)]));
    assert.equal(error.code, 'MINT_MALFORMED');
    // on the main chain a peg-in input is just a missing input
    const onMain = peg.main.acceptToMempool(mint.bytes);
    assert.equal(onMain.allowed === false && onMain.code, 'missing-inputs');
  });
});

function encode(tx: DecodedTransaction['tx']): Uint8Array {
  return encodeTransaction(tx, { witness: true });
}
