/**
 * Raw main-chain deposits for the end-to-end tests: coins split from the bridge wallet's funds,
 * and lock transactions built and signed here (several lock outputs, malformed memos, dust) that
 * the wallet's `lock` would never make, sent with `sendrawtransaction`.
 */
import { bytesToHex, concatBytes } from '../../proofs/bytes.js';
import { encodeMemo, MEMO_MAGIC } from '../../proofs/bitcoin/memo.js';
import { encodeDataPush, OP_RETURN } from '../../proofs/bitcoin/script.js';
import type { TxOutput } from '../../proofs/bitcoin/transaction.js';
import { buildSignedPayment, type SignedPayment, type SpendableCoin } from '../../ledgers/devnet/wallet/build-payment.js';
import { LedgerError } from '../../ledgers/errors.js';
import type { JsonRpcClient } from '../../ledgers/rpc/json-rpc-client.js';
import type { Bridge } from './bridge-harness.js';

/** Fee rate of the raw transactions (base units per vbyte). */
const FEE_RATE = 2;

/**
 * `count` coins of `value` each for the bridge wallet's primary key: one mature coinbase split in
 * one transaction, mined. The returned coins are confirmed and spendable.
 */
export async function splitCoins(bridge: Bridge, count: number, value: bigint): Promise<SpendableCoin[]> {
  await bridge.fundMain(1);
  const key = bridge.walletFile.primaryKey();
  const outputs: TxOutput[] = Array.from({ length: count }, () => ({ value, scriptPubKey: key.scriptPubKey }));
  const split = buildSignedPayment({ coins: await bridge.mainWallet.coins(), outputs, feeRate: FEE_RATE, changeScript: key.scriptPubKey });
  await send(bridge.nodes.mainRpc, split.raw);
  await bridge.mine('main');
  return outputs.map((output, vout) => ({ txidLE: split.txidLE, vout, output, privateKey: key.privateKey }));
}

/** A lock memo for `destination` (a side-chain scriptPubKey). */
export function lockMemo(destination: Uint8Array): Uint8Array {
  return encodeMemo({ kind: 'lock', destinationScript: destination });
}

/** An OP_RETURN carrying exactly `payload` after the UBR1 magic (one push, standard on the devnet). */
export function rawMemo(payload: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP_RETURN), encodeDataPush(concatBytes(MEMO_MAGIC, payload)));
}

/** A lock memo whose length byte says more bytes than follow (MEMO_MALFORMED). */
export function badLengthMemo(destination: Uint8Array): Uint8Array {
  return rawMemo(concatBytes(Uint8Array.of(0x01, destination.length + 10), destination));
}

/** A memo of an unknown kind byte (MEMO_MALFORMED). */
export function badKindMemo(destination: Uint8Array): Uint8Array {
  return rawMemo(concatBytes(Uint8Array.of(0x09, destination.length), destination));
}

/**
 * A signed deposit spending `coin`: one output of each `lockValues` to `lockScript` (vouts 0..n-1),
 * then the memo, then change to the coin's own script.
 */
export function depositTx(coin: SpendableCoin, lockScript: Uint8Array, lockValues: readonly bigint[], memo: Uint8Array): SignedPayment {
  const outputs: TxOutput[] = [...lockValues.map((value) => ({ value, scriptPubKey: lockScript })), { value: 0n, scriptPubKey: memo }];
  return buildSignedPayment({ coins: [coin], outputs, feeRate: FEE_RATE, changeScript: coin.output.scriptPubKey });
}

/**
 * An RPC call tried again when the connection dropped before any answer (NODE_UNREACHABLE
 * "connection failed": a keep-alive connection the busy node closed as the request went out).
 * Only for calls that are safe to repeat: reads, and sendrawtransaction (the node answers the same
 * txid for a transaction it already holds).
 */
export async function call<T>(rpc: JsonRpcClient, method: string, params: unknown[] = []): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rpc.call<T>(method, params);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof LedgerError) || e.code !== 'NODE_UNREACHABLE' || !/connection failed/.test(e.message)) throw e;
    }
  }
}

/** sendrawtransaction; returns the txid (display order). */
export async function send(rpc: JsonRpcClient, raw: Uint8Array): Promise<string> {
  return call<string>(rpc, 'sendrawtransaction', [bytesToHex(raw)]);
}

/**
 * Sends a transaction a second time: a node answers its txid again while it is in the mempool (as
 * Core does) and refuses it once it is mined. Returns the txid or the refusal's message.
 */
export async function sendAgain(rpc: JsonRpcClient, tx: SignedPayment): Promise<{ txid: string } | { refused: string }> {
  try {
    return { txid: await send(rpc, tx.raw) };
  } catch (e) {
    return { refused: e instanceof Error ? e.message : String(e) };
  }
}
