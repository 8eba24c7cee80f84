/**
 * Many transfers at once for the end-to-end tests: `fund` makes one coin per lock and per burn to
 * come (after one lock that gives the side wallet coins to burn), and `sendWave` sends locks and
 * burns from those coins at once, each to a fresh destination, so that every payout can be found
 * and counted on chain.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { formatCoins } from '../../ledgers/bitcoin/amount.js';
import { buildSignedPayment, type SpendableCoin } from '../../ledgers/devnet/wallet/build-payment.js';
import { bytesToHex, hexToBytes } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { transferIdOf, type TransferId } from '../../relayer/transfer.js';
import { lockedValue } from './books.js';
import type { Bridge } from './bridge-harness.js';
import { rpcOf } from './chain-reads.js';
import { untilCompleted } from './until-completed.js';

const COIN = 100_000_000n;
/** Fee rate of the transactions sent here (base units per vbyte). */
const FEE_RATE = 2;

/** A lock or a burn sent. */
export interface Sent {
  readonly id: TransferId;
  readonly txid: string;
  readonly vout: number;
  readonly amount: bigint;
  /** The destination scriptPubKey named in the memo: a fresh one per transfer, so that its UTXOs are this transfer's payout only. */
  readonly destination: Uint8Array;
}

export interface Funds {
  /** The first lock: 8 coins minted to the side wallet (the coins the burns spend). */
  readonly bootstrap: Sent;
  readonly mainCoins: readonly SpendableCoin[];
  readonly sideCoins: readonly SpendableCoin[];
}

/** The amount of the `i`th lock. */
export const lockAmount = (i: number): bigint => COIN + BigInt(i) * 1000n;
/** The amount of the `i`th burn. */
export const burnAmount = (i: number): bigint => 20_000_000n + BigInt(i) * 1000n;

/**
 * On a fresh bridge with a relayer running: one lock of 8 coins minted to the side wallet, then
 * one confirmed coin per lock and per burn to come (`locks` main-chain coins, `burns` side-chain ones).
 */
export async function fund(bridge: Bridge, t: TestContext, locks: number, burns: number): Promise<Funds> {
  assert.equal(await lockedValue(bridge), 0n, 'a fresh chain: nothing locked yet');
  const key = bridge.walletFile.primaryKey();
  const lock = await bridge.mainWallet.lock(8n * COIN, await bridge.sideWallet.address(key), bridge.federation);
  const lockVout = decodeTransaction(lock.raw).tx.outputs.findIndex((o) => o.value === 8n * COIN);
  const bootstrap: Sent = { id: transferIdOf('pegin', lock.txidLE, lockVout), txid: lock.txid, vout: lockVout, amount: 8n * COIN, destination: key.scriptPubKey };
  await untilCompleted(bridge, t, [bootstrap.id], bridge.relayers.map((r) => r.logFile));
  const mainCoins = await splitCoins(bridge, 'main', locks, lockAmount(locks) + 10_000n);
  const sideCoins = await splitCoins(bridge, 'side', burns, burnAmount(burns) + 10_000n);
  await bridge.mine('main');
  await bridge.mine('side');
  return { bootstrap, mainCoins, sideCoins };
}

/** Sends `locks` locks and `burns` burns at once, from coins `from` (main, side) on, each to a fresh destination. */
export async function sendWave(bridge: Bridge, funds: Funds, from: readonly [number, number], locks: number, burns: number): Promise<{ locks: Sent[]; burns: Sent[] }> {
  const out = { locks: [] as Sent[], burns: [] as Sent[] };
  for (let i = 0; i < Math.max(locks, burns); i++) {
    const [l, b] = [from[0] + i, from[1] + i];
    if (i < locks) out.locks.push(await sendLock(bridge, funds.mainCoins[l]!, lockAmount(l)));
    if (i < burns) out.burns.push(await sendBurn(bridge, funds.sideCoins[b]!, burnAmount(b)));
  }
  return out;
}

/** One transaction paying `count` outputs of `value` to the wallet; returns them as coins (unconfirmed). */
async function splitCoins(bridge: Bridge, role: 'main' | 'side', count: number, value: bigint): Promise<SpendableCoin[]> {
  const key = bridge.walletFile.primaryKey();
  const wallet = role === 'main' ? bridge.mainWallet : bridge.sideWallet;
  const outputs = Array.from({ length: count }, () => ({ value, scriptPubKey: key.scriptPubKey }));
  const payment = buildSignedPayment({ coins: await wallet.coins(), outputs, feeRate: FEE_RATE, changeScript: key.scriptPubKey });
  await rpcOf(bridge, role).call('sendrawtransaction', [bytesToHex(payment.raw)]);
  return outputs.map((output, vout) => ({ txidLE: payment.txidLE, vout, output, privateKey: key.privateKey }));
}

/** A P2WPKH scriptPubKey of a random key hash: nobody else ever pays it. */
function freshDestination(): Uint8Array {
  return hexToBytes(`0014${randomBytes(20).toString('hex')}`);
}

async function sendLock(bridge: Bridge, coin: SpendableCoin, amount: bigint): Promise<Sent> {
  const destination = freshDestination();
  const outputs = [
    { value: amount, scriptPubKey: bridge.lockScript },
    { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: destination }) },
  ];
  const p = buildSignedPayment({ coins: [coin], outputs, feeRate: FEE_RATE, changeScript: bridge.walletFile.primaryKey().scriptPubKey });
  const txid = await bridge.nodes.mainRpc.call<string>('sendrawtransaction', [bytesToHex(p.raw)]);
  return { id: transferIdOf('pegin', p.txidLE, 0), txid, vout: 0, amount, destination };
}

async function sendBurn(bridge: Bridge, coin: SpendableCoin, amount: bigint): Promise<Sent> {
  const destination = freshDestination();
  const outputs = [{ value: amount, scriptPubKey: encodeMemo({ kind: 'burn', destinationScript: destination }) }];
  const p = buildSignedPayment({ coins: [coin], outputs, feeRate: FEE_RATE, changeScript: bridge.walletFile.primaryKey().scriptPubKey });
  const txid = await bridge.nodes.sideRpc.call<string>('sendrawtransaction', [bytesToHex(p.raw), 0.1, Number(formatCoins(amount))]);
  return { id: transferIdOf('pegout', p.txidLE, 0), txid, vout: 0, amount, destination };
}
