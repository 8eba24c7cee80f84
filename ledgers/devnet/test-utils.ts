/**
 * Test-only builders shared by the devnet's *.test.ts files: a deterministic wallet that signs
 * P2WPKH spends, a federation of generated keys, main-chain lock transactions and side-chain
 * mints built the way the relayer will build them. Not exported from index.ts.
 */
import { equalBytes } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import { decodeBlock } from '../../proofs/bitcoin/block.js';
import { HeaderChain } from '../../proofs/bitcoin/header-chain.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import { buildMerkleBlock } from '../../proofs/bitcoin/merkle-block.js';
import { decodeTransaction, encodeTransaction, transactionTxid, type DecodedTransaction, type Transaction, type TxOutput } from '../../proofs/bitcoin/transaction.js';
import { federation as makeFederation, lockScriptPubKey, type Federation, type LockType } from '../bitcoin/lock-script.js';
import { p2wpkhScriptPubKey } from '../bitcoin/payments.js';
import { signP2wpkhInput } from '../bitcoin/sign-input.js';
import { publicKeyCompressed, signSchnorr } from '../bitcoin/signatures.js';
import type { UtxoEntry } from './chain-api.js';
import type { DevnetChain } from './chain/devnet-chain.js';
import { encodeMintWitness, mintSignatureMessage, pegInVout } from './consensus/mint.js';
import { DevnetRejectError } from './errors.js';
import { assembleBlock } from './miner.js';
import { DEVNET_MAIN } from './params.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A fixed clock for tests: a little after the genesis time, so mined blocks never run 2 hours ahead. */
export const TEST_NOW = (): number => 1_700_100_000;

/** A deterministic private key, different for each label. */
export function devKey(label: string | number): Uint8Array {
  return sha256(utf8(`utxo-relay devnet test key ${label}`));
}

/** One P2WPKH key: its script, and how to spend its coins. */
export class Wallet {
  readonly publicKey: Uint8Array;
  readonly script: Uint8Array;

  constructor(readonly privateKey: Uint8Array) {
    this.publicKey = publicKeyCompressed(privateKey);
    this.script = p2wpkhScriptPubKey(this.publicKey);
  }

  static of(label: string | number): Wallet {
    return new Wallet(devKey(label));
  }

  /**
   * A signed transaction spending `coins` (all this wallet's) to `outputs`, version 2, sequence
   * 0xfffffffd, each input signed SIGHASH_ALL.
   */
  spend(coins: readonly { txidLE: Uint8Array; vout: number; output: TxOutput }[], outputs: readonly TxOutput[], options: { locktime?: number; sequence?: number } = {}): DecodedTransaction {
    const unsigned: Transaction = {
      version: 2,
      inputs: coins.map((c) => ({ prevTxidLE: c.txidLE, prevVout: c.vout, scriptSig: new Uint8Array(0), sequence: options.sequence ?? 0xfffffffd, witness: [] })),
      outputs,
      locktime: options.locktime ?? 0,
    };
    const inputs = unsigned.inputs.map((input, i) => ({ ...input, witness: signP2wpkhInput(unsigned, i, coins[i]!.output, this.privateKey) }));
    return decodeTransaction(encodeTransaction({ ...unsigned, inputs }, { witness: true }));
  }

  /** Spends one coin to `to`, paying `fee`; the change (if any) comes back to this wallet as output 1. */
  pay(coin: { txidLE: Uint8Array; vout: number; output: TxOutput }, to: Uint8Array, value: bigint, fee: bigint): DecodedTransaction {
    const change = coin.output.value - value - fee;
    const outputs: TxOutput[] = [{ value, scriptPubKey: to }];
    if (change > 0n) outputs.push({ value: change, scriptPubKey: this.script });
    return this.spend([coin], outputs);
  }
}

/** Mines `blocks` blocks to the wallet, then enough to mature them; returns the wallet's coins (oldest first). */
export function fundWallet(chain: DevnetChain, wallet: Wallet, blocks: number): UtxoEntry[] {
  chain.generate(blocks, wallet.script);
  chain.generate(chain.coinbaseMaturity, Wallet.of('burner').script);
  return chain.utxosByScript(wallet.script).filter((u) => !u.coinbase || chain.tip().height + 1 - u.height >= chain.coinbaseMaturity);
}

/** A federation of `n` generated keys (labels `fed-0`...), threshold `m`, with the private keys by key index. */
export function testFederation(m: number, n: number, lockType: LockType = 'taproot'): { federation: Federation; privateKeys: Uint8Array[] } {
  const keys = Array.from({ length: n }, (_, i) => devKey(`fed-${i}`));
  const fed = makeFederation(m, keys.map((k) => publicKeyCompressed(k)), lockType);
  const byIndex = fed.publicKeys.map((pub) => keys.find((k) => equalBytes(publicKeyCompressed(k), pub))!);
  return { federation: fed, privateKeys: byIndex };
}

/** A header chain of the main chain fed with every best-chain header of `main` (what the side node follows). */
export function followMain(main: DevnetChain, chain: HeaderChain = HeaderChain.fromGenesis(DEVNET_MAIN, { now: TEST_NOW })): HeaderChain {
  syncHeaders(main, chain);
  return chain;
}

/** Adds every best-chain header of `main` to `chain` (duplicates are no-ops). */
export function syncHeaders(main: DevnetChain, chain: HeaderChain): void {
  for (let h = 1; h <= main.tip().height; h++) chain.add(main.blockInfo(main.blockHashAtHeight(h)!)!.header80);
}

/** A lock on the main chain: `value` to the federation's lock with a UBR1 0x01 memo for `destination`. */
export function lockTransaction(
  wallet: Wallet,
  coin: { txidLE: Uint8Array; vout: number; output: TxOutput },
  fed: Federation,
  value: bigint,
  destination: Uint8Array,
  options: { fee?: bigint; lockScript?: Uint8Array } = {},
): DecodedTransaction {
  const fee = options.fee ?? 1_000n;
  const outputs: TxOutput[] = [
    { value, scriptPubKey: options.lockScript ?? lockScriptPubKey(fed) },
    { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript: destination }) },
  ];
  const change = coin.output.value - value - fee;
  if (change > 0n) outputs.push({ value: change, scriptPubKey: wallet.script });
  return wallet.spend([coin], outputs);
}

/** Where a mined lock is: its block's raw bytes and the proof the mint carries. */
export interface LockProof {
  readonly lockTx: Uint8Array;
  readonly coinbase: Uint8Array;
  readonly merkleBlock: Uint8Array;
}

/** The proof of a transaction mined on `main`: `gettxoutproof [txid, coinbase txid]` of its block. */
export function proofOf(main: DevnetChain, txidLE: Uint8Array): LockProof {
  const found = main.transaction(txidLE);
  if (found?.blockHashLE === undefined) throw new Error('proofOf: the transaction is not mined');
  const info = main.blockInfo(found.blockHashLE)!;
  const raw = main.rawBlock(found.blockHashLE)!;
  const block = decodeBlock(raw);
  const txids = block.transactions.map((t) => t.txidLE);
  const index = txids.findIndex((t) => equalBytes(t, txidLE));
  return { lockTx: found.tx.bytes.slice(), coinbase: block.transactions[0]!.bytes.slice(), merkleBlock: buildMerkleBlock(info.header80, txids, [0, index]) };
}

/** What buildMint builds: the lock outpoint, the outputs, the proof and who signs. */
export interface MintSpec {
  readonly lockTxidLE: Uint8Array;
  readonly lockVout: number;
  readonly outputs: readonly TxOutput[];
  readonly proof: LockProof;
  /** Key indexes that sign (default: the first M). */
  readonly signers?: readonly number[];
  /** Replace the signature of a slot (tests of bad slots). */
  readonly slotOverride?: ReadonlyMap<number, Uint8Array>;
}

/** A signed mint. */
export function buildMint(fed: Federation, privateKeys: readonly Uint8Array[], spec: MintSpec): DecodedTransaction {
  const unsigned: Transaction = {
    version: 2,
    inputs: [{ prevTxidLE: spec.lockTxidLE, prevVout: pegInVout(spec.lockVout), scriptSig: new Uint8Array(0), sequence: 0xffffffff, witness: [] }],
    outputs: spec.outputs,
    locktime: 0,
  };
  const message = mintSignatureMessage(transactionTxid(unsigned));
  const signers = new Set(spec.signers ?? Array.from({ length: fed.threshold }, (_, i) => i));
  const signatures = fed.publicKeys.map((_, i) => {
    const override = spec.slotOverride?.get(i);
    if (override !== undefined) return override;
    return signers.has(i) ? signSchnorr(message, privateKeys[i]!, new Uint8Array(32)) : undefined;
  });
  const witness = encodeMintWitness(fed, { signatures, lockTx: spec.proof.lockTx, lockBlockCoinbase: spec.proof.coinbase, merkleBlock: spec.proof.merkleBlock });
  return decodeTransaction(encodeTransaction({ ...unsigned, inputs: [{ ...unsigned.inputs[0]!, witness }] }, { witness: true }));
}

/**
 * A solved block on `parent` (the tip unless given) with these transactions and a coinbase paying
 * the subsidy plus `fees` (or exactly `coinbaseValue`) to a burner script, not submitted.
 */
export function blockOn(
  chain: DevnetChain,
  transactions: readonly DecodedTransaction[],
  options: { parentHashLE?: Uint8Array; fees?: bigint; coinbaseValue?: bigint; statedHeight?: number; time?: number; extraNonce?: bigint } = {},
): Uint8Array {
  const parent = chain.blockInfo(options.parentHashLE ?? chain.tip().hashLE)!;
  const height = parent.height + 1;
  return assembleBlock({
    prevHashLE: parent.hashLE,
    height,
    time: options.time ?? Math.max(TEST_NOW(), parent.medianTime + 1),
    transactions,
    coinbaseOutputs: [{ value: options.coinbaseValue ?? chain.network.subsidy(height) + (options.fees ?? 0n), scriptPubKey: Wallet.of('burner').script }],
    extraNonce: options.extraNonce ?? BigInt(nextExtraNonce++),
    ...(options.statedHeight === undefined ? {} : { statedHeight: options.statedHeight }),
  });
}

let nextExtraNonce = 1_000_000;

/** The DevnetRejectError that `fn` throws (fails the test when it returns or throws something else). */
export function refusalOf(fn: () => unknown): DevnetRejectError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DevnetRejectError) return error;
    throw error;
  }
  throw new Error('expected a DevnetRejectError, nothing was thrown');
}

/** Core's reject reason of an API answer: the reason text before any " (details)". */
export function reasonOf(result: { reason?: string } | { accepted: true } | { allowed: true }): string | undefined {
  if (!('reason' in result) || result.reason === undefined) return undefined;
  const at = result.reason.indexOf(' (');
  return at === -1 ? result.reason : result.reason.slice(0, at);
}

/** A copy of a decoded transaction with `change` applied to its Transaction, re-encoded (witnesses kept). */
export function mutate(decoded: DecodedTransaction, change: (tx: Transaction) => Transaction): DecodedTransaction {
  return decodeTransaction(encodeTransaction(change(decoded.tx), { witness: true }));
}
