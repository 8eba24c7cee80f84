/**
 * Side role: peg-in mints (docs/devnet.md, "Side role"). A mint is a transaction whose single
 * input is a peg-in input: its previous outpoint is the main-chain lock outpoint with bit 30 of
 * the index set (`vout | 0x40000000`), its scriptSig is empty, and its witness has N + 3 items:
 * one signature slot per federation key (canonical key order; a 64-byte BIP340 signature of
 * `taggedHash("UBR1/mint", mint txid)` or empty), the raw lock transaction, the raw coinbase of
 * its main-chain block, and the merkleblock proving both.
 *
 * `verifyMint` checks everything a mint must satisfy by itself; whether its lock outpoint is
 * already claimed is chain state, checked by the caller (the chain, the block, the mempool).
 */
import { assertBytes, assertInteger, equalBytes, hashToDisplay } from '../../../proofs/bytes.js';
import { ProofError } from '../../../proofs/errors.js';
import type { HeaderChain } from '../../../proofs/bitcoin/header-chain.js';
import { verifyInclusion } from '../../../proofs/bitcoin/inclusion.js';
import { parseMemo } from '../../../proofs/bitcoin/memo.js';
import { OP_RETURN } from '../../../proofs/bitcoin/script.js';
import type { DecodedTransaction, Transaction, TxInput, TxOutput } from '../../../proofs/bitcoin/transaction.js';
import type { Federation } from '../../bitcoin/lock-script.js';
import { taggedHash, verifySchnorr, xOnlyFromCompressed } from '../../bitcoin/signatures.js';
import { DevnetRejectError, reject } from '../errors.js';
import { outpointKey } from '../outpoint.js';
import type { ScriptCache } from './scripts.js';

/** Bit 30 of a peg-in input's previous output index (Elements-style). */
export const PEGIN_FLAG = 0x40000000;
/** Largest lock output index a peg-in input can name. */
export const MAX_PEGIN_VOUT = PEGIN_FLAG - 1;
/** The BIP340 tag of the message federation keys sign for a mint. */
export const MINT_SIGNATURE_TAG = 'UBR1/mint';

/** True when an input of a non-coinbase transaction is a peg-in input (bit 30 of its index set). */
export function isPegInInput(input: TxInput): boolean {
  return (input.prevVout & PEGIN_FLAG) !== 0;
}

/** True when any input of a non-coinbase transaction is a peg-in input. */
export function hasPegInInput(tx: Transaction): boolean {
  return tx.inputs.some(isPegInInput);
}

/** The previous-output index a peg-in input writes for lock output `lockVout`. */
export function pegInVout(lockVout: number): number {
  assertInteger(lockVout, 0, MAX_PEGIN_VOUT, 'lockVout');
  return (lockVout | PEGIN_FLAG) >>> 0;
}

/** The lock outpoint a peg-in input names. */
export function pegInOutpoint(input: TxInput): { lockTxidLE: Uint8Array; lockVout: number } {
  return { lockTxidLE: input.prevTxidLE, lockVout: (input.prevVout & ~PEGIN_FLAG) >>> 0 };
}

/** The map key of a claim: the lock outpoint. */
export function claimKey(lockTxidLE: Uint8Array, lockVout: number): string {
  return outpointKey(lockTxidLE, lockVout);
}

/** The 32-byte message each federation key signs for the mint with this txid. */
export function mintSignatureMessage(mintTxidLE: Uint8Array): Uint8Array {
  assertBytes(mintTxidLE, 32, 'mintTxidLE');
  return taggedHash(MINT_SIGNATURE_TAG, mintTxidLE);
}

/** What goes into a mint's witness. */
export interface MintWitnessParts {
  /** One entry per federation key (canonical order): a 64-byte signature, or undefined for a key that does not sign. */
  readonly signatures: readonly (Uint8Array | undefined)[];
  /** The raw main-chain lock transaction. */
  readonly lockTx: Uint8Array;
  /** The raw coinbase of the lock's main-chain block. */
  readonly lockBlockCoinbase: Uint8Array;
  /** `gettxoutproof [locktxid, coinbasetxid]` of that block. */
  readonly merkleBlock: Uint8Array;
}

/** The mint's witness stack, N + 3 items. RangeError when `signatures` does not have one entry per key. */
export function encodeMintWitness(federation: Federation, parts: MintWitnessParts): Uint8Array[] {
  const n = federation.publicKeys.length;
  if (!Array.isArray(parts.signatures) || parts.signatures.length !== n) {
    throw new RangeError(`signatures: expected ${n} entries (one per federation key), got ${String(parts.signatures?.length)}`);
  }
  parts.signatures.forEach((sig, i) => {
    if (sig !== undefined) assertBytes(sig, 64, `signatures[${i}]`);
  });
  assertBytes(parts.lockTx, undefined, 'lockTx');
  assertBytes(parts.lockBlockCoinbase, undefined, 'lockBlockCoinbase');
  assertBytes(parts.merkleBlock, undefined, 'merkleBlock');
  return [...parts.signatures.map((s) => s?.slice() ?? new Uint8Array(0)), parts.lockTx.slice(), parts.lockBlockCoinbase.slice(), parts.merkleBlock.slice()];
}

/** The side node's mint rules. */
export interface MintRules {
  readonly federation: Federation;
  /** lockScriptPubKey(federation), computed once. */
  readonly lockScriptPubKey: Uint8Array;
  /** The side node's own header chain of the main chain. */
  readonly mainChain: HeaderChain;
  /** Confirmations the lock's block needs on the main chain's best chain (>= 1). */
  readonly pegConfirmations: number;
  /** Remembers mints whose signature slots verified (keyed by wtxid, which commits to the slots). */
  readonly signatureCache?: ScriptCache;
}

/** A mint that passed verifyMint. */
export interface VerifiedMint {
  readonly lockTxidLE: Uint8Array;
  readonly lockVout: number;
  /** The claim it makes (the lock outpoint's key). */
  readonly claimKey: string;
  /** Value of the lock output: the mint's input value. */
  readonly lockedAmount: bigint;
  /** Locked amount minus what the mint pays: the side miner's fee. */
  readonly fee: bigint;
  readonly destinationScript: Uint8Array;
  /** Key indexes whose slots hold valid signatures. */
  readonly signers: readonly number[];
  readonly lockBlockHashLE: Uint8Array;
  readonly lockHeight: number;
}

const NO_OUTPUTS: readonly TxOutput[] = [];

/**
 * Verifies a mint, in this order (cheap checks first): its shape (MINT_MALFORMED), the inclusion
 * proof against the main header chain with the required confirmations and for the outpoint's
 * transaction (MINT_BAD_PROOF), the lock output paying the federation's lock script
 * (MINT_BAD_LOCK), the lock's single `UBR1 0x01` memo naming output 0's script
 * (MINT_BAD_DESTINATION), the other outputs being zero-value OP_RETURNs (MINT_BAD_OUTPUTS), the
 * total paid within the locked amount (MINT_AMOUNT_TOO_HIGH), and the signature slots: no invalid
 * one, at least M valid ones (MINT_BAD_SIGNATURES). Throws DevnetRejectError.
 */
export function verifyMint(decoded: DecodedTransaction, rules: MintRules): VerifiedMint {
  const { tx } = decoded;
  const fed = rules.federation;
  const n = fed.publicKeys.length;

  // shape
  if (tx.inputs.length !== 1) reject('MINT_MALFORMED', 'mint-malformed', `a peg-in input must be the transaction's only input, found ${tx.inputs.length} inputs`);
  const input = tx.inputs[0]!;
  if (!isPegInInput(input)) reject('MINT_MALFORMED', 'mint-malformed', 'the input is not a peg-in input');
  if ((input.prevVout & 0x80000000) !== 0) reject('MINT_MALFORMED', 'mint-malformed', `peg-in index 0x${input.prevVout.toString(16)} has bit 31 set`);
  if (input.scriptSig.length !== 0) reject('MINT_MALFORMED', 'mint-malformed', 'a peg-in input has an empty scriptSig');
  if (input.witness.length !== n + 3) {
    reject('MINT_MALFORMED', 'mint-malformed', `the peg-in witness needs ${n + 3} items (${n} signature slots, lock transaction, coinbase, merkleblock), got ${input.witness.length}`);
  }
  if (tx.outputs.length === 0) reject('MINT_MALFORMED', 'mint-malformed', 'a mint needs output 0');
  const { lockTxidLE, lockVout } = pegInOutpoint(input);
  const outpoint = `${hashToDisplay(lockTxidLE)}:${lockVout}`;

  // inclusion proof on the main chain
  let proven;
  try {
    proven = verifyInclusion(
      { kind: 'merkleblock', rawTx: input.witness[n]!, coinbaseTx: input.witness[n + 1]!, merkleBlock: input.witness[n + 2]! },
      rules.mainChain,
      { minConfirmations: rules.pegConfirmations },
    );
  } catch (error) {
    if (error instanceof ProofError) {
      throw new DevnetRejectError('MINT_BAD_PROOF', 'mint-bad-proof', { detail: `lock ${outpoint}: ${error.message}`, cause: error, details: { proofError: error.code } });
    }
    throw error;
  }
  if (!equalBytes(proven.txidLE, lockTxidLE)) {
    reject('MINT_BAD_PROOF', 'mint-bad-proof', `the proven transaction ${hashToDisplay(proven.txidLE)} is not the lock outpoint's ${outpoint}`);
  }

  // the lock output
  const lockOutput = proven.outputs[lockVout];
  if (lockOutput === undefined) reject('MINT_BAD_LOCK', 'mint-bad-lock', `the lock transaction has no output ${lockVout}`);
  if (!equalBytes(lockOutput.scriptPubKey, rules.lockScriptPubKey)) reject('MINT_BAD_LOCK', 'mint-bad-lock', `output ${outpoint} does not pay the federation's lock script`);

  // the memo and the destination
  const destinationScript = lockDestination(proven.outputs, outpoint);
  if (!equalBytes(tx.outputs[0]!.scriptPubKey, destinationScript)) {
    reject('MINT_BAD_DESTINATION', 'mint-bad-destination', `output 0 does not pay the destination script of the lock memo of ${outpoint}`, { outputIndex: 0 });
  }

  // the other outputs and the amount
  for (let outputIndex = 1; outputIndex < tx.outputs.length; outputIndex++) {
    const output = tx.outputs[outputIndex]!;
    if (output.value !== 0n || output.scriptPubKey[0] !== OP_RETURN) {
      reject('MINT_BAD_OUTPUTS', 'mint-bad-outputs', `output ${outputIndex}: outputs after the first must be zero-value OP_RETURN outputs`, { outputIndex });
    }
  }
  const paid = tx.outputs[0]!.value;
  if (paid > lockOutput.value) reject('MINT_AMOUNT_TOO_HIGH', 'mint-amount-too-high', `the mint pays ${paid}, the lock ${outpoint} holds ${lockOutput.value}`);

  // the federation's signatures
  const signers = verifySignatureSlots(decoded, rules);

  return {
    lockTxidLE: new Uint8Array(lockTxidLE),
    lockVout,
    claimKey: claimKey(lockTxidLE, lockVout),
    lockedAmount: lockOutput.value,
    fee: lockOutput.value - paid,
    destinationScript,
    signers,
    lockBlockHashLE: proven.blockHashLE,
    lockHeight: proven.height,
  };
}

/** The destination of the lock transaction's single well-formed `UBR1 0x01` memo. */
function lockDestination(outputs: readonly TxOutput[], outpoint: string): Uint8Array {
  const destinations: Uint8Array[] = [];
  outputs.forEach((output, outputIndex) => {
    let memo;
    try {
      memo = parseMemo(output.scriptPubKey);
    } catch (error) {
      if (error instanceof ProofError) {
        throw new DevnetRejectError('MINT_BAD_DESTINATION', 'mint-bad-destination', { detail: `lock transaction of ${outpoint}, output ${outputIndex}: ${error.message}`, cause: error });
      }
      throw error;
    }
    if (memo?.kind === 'lock') destinations.push(memo.destinationScript);
  });
  if (destinations.length !== 1) {
    reject('MINT_BAD_DESTINATION', 'mint-bad-destination', `the lock transaction of ${outpoint} carries ${destinations.length} UBR1 lock memos, expected exactly one`);
  }
  return destinations[0]!;
}

/** Key indexes with a valid signature; refuses an invalid slot and fewer than M signatures. */
function verifySignatureSlots(decoded: DecodedTransaction, rules: MintRules): number[] {
  const fed = rules.federation;
  const witness = decoded.tx.inputs[0]!.witness;
  const signers: number[] = [];
  fed.publicKeys.forEach((_, slot) => {
    if (witness[slot]!.length > 0) signers.push(slot);
  });
  if (signers.length < fed.threshold) {
    reject('MINT_BAD_SIGNATURES', 'mint-bad-signatures', `${signers.length} signature slots are filled, the federation needs ${fed.threshold}`, { signatures: signers.length });
  }
  if (rules.signatureCache?.has(decoded.wtxidLE, NO_OUTPUTS) === true) return signers;
  const message = mintSignatureMessage(decoded.txidLE);
  for (const slot of signers) {
    const sig = witness[slot]!;
    const valid = sig.length === 64 && verifySchnorr(sig, message, xOnlyFromCompressed(fed.publicKeys[slot]!));
    if (!valid) {
      reject('MINT_BAD_SIGNATURES', 'mint-bad-signatures', `slot ${slot} holds an invalid signature for federation key ${slot} (${sig.length} bytes)`, { slot });
    }
  }
  rules.signatureCache?.add(decoded.wtxidLE, NO_OUTPUTS);
  return signers;
}
