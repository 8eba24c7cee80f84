/**
 * What a federation member checks before it signs (DESIGN.md §1: an operator signs only what it
 * verified itself). It does not trust the sighashes an adapter computed: it decodes the unsigned
 * transaction, checks every output and input against what it verified from the proven source
 * transaction, and computes the messages to sign itself.
 */
import { bytesToHex, equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import { parseMemo } from '../../proofs/bitcoin/memo.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { lockScriptPubKey, type Federation } from '../../ledgers/bitcoin/lock-script.js';
import { federationSighash } from '../../ledgers/bitcoin/sign-input.js';
import { mintSignatureMessage, pegInVout } from '../../ledgers/devnet/consensus/mint.js';
import { RelayerError } from '../errors.js';
import type { SigningRequest } from './signer.js';

function refuse(request: SigningRequest, why: string): never {
  throw new RelayerError('SIGNER_REFUSED', `${request.transferId}: refused to sign: ${why}`, { details: { transferId: request.transferId } });
}

/** The messages to sign (one per sighash entry), once the spend is checked; SIGNER_REFUSED otherwise. */
export function checkSpend(fed: Federation, request: SigningRequest): Uint8Array[] {
  const { unsigned, expect } = request;
  let decoded;
  try {
    decoded = decodeTransaction(unsigned.unsignedTx);
  } catch (e) {
    refuse(request, `the unsigned transaction does not decode (${(e as Error).message})`);
  }
  const tx = decoded.tx;
  if (!equalBytes(decoded.txidLE, unsigned.txidLE)) refuse(request, 'the txid given is not the transaction\'s');
  if (expect.kind === 'mint') {
    if (tx.inputs.length !== 1) refuse(request, `a mint has one input, this one ${tx.inputs.length}`);
    const input = tx.inputs[0]!;
    if (!equalBytes(input.prevTxidLE, expect.lockTxidLE) || input.prevVout !== pegInVout(expect.lockVout)) {
      refuse(request, `the mint claims ${hashToDisplay(input.prevTxidLE)}:${input.prevVout}, not the verified lock ${hashToDisplay(expect.lockTxidLE)}:${expect.lockVout}`);
    }
    if (tx.outputs.length !== 1) refuse(request, `a mint has one output, this one ${tx.outputs.length}`);
    const out = tx.outputs[0]!;
    if (!equalBytes(out.scriptPubKey, expect.destination)) refuse(request, `the mint pays ${bytesToHex(out.scriptPubKey)}, not the verified destination ${bytesToHex(expect.destination)}`);
    if (out.value !== expect.amount) refuse(request, `the mint pays ${out.value}, not the verified ${expect.amount}`);
    return [mintSignatureMessage(decoded.txidLE)];
  }
  // release
  const lockScript = lockScriptPubKey(fed);
  const byOutpoint = new Map(expect.inputs.map((u) => [`${bytesToHex(u.txidLE)}:${u.vout}`, u]));
  const spent = tx.inputs.map((input, i) => {
    const u = byOutpoint.get(`${bytesToHex(input.prevTxidLE)}:${input.prevVout}`);
    if (u === undefined) refuse(request, `input ${i} spends ${hashToDisplay(input.prevTxidLE)}:${input.prevVout}, which is not a lock output reserved for it`);
    if (!equalBytes(u.output.scriptPubKey, lockScript)) refuse(request, `input ${i} does not spend the federation's lock script`);
    return u.output;
  });
  if (new Set(tx.inputs.map((i) => `${bytesToHex(i.prevTxidLE)}:${i.prevVout}`)).size !== tx.inputs.length) refuse(request, 'an input is spent twice');
  let payout = 0n;
  let change = 0n;
  let memos = 0;
  for (const [i, out] of tx.outputs.entries()) {
    if (equalBytes(out.scriptPubKey, expect.destination)) payout += out.value;
    else if (equalBytes(out.scriptPubKey, lockScript)) change += out.value;
    else {
      let memo;
      try {
        memo = parseMemo(out.scriptPubKey);
      } catch {
        memo = null;
      }
      if (memo?.kind !== 'release' || !equalBytes(memo.burnsHashLE, expect.burnsHashLE) || out.value !== 0n) refuse(request, `output ${i} pays neither the destination, the lock nor the release memo of these burns`);
      memos++;
    }
  }
  if (memos !== 1) refuse(request, `a release carries exactly one UBR1 0x03 memo, this one ${memos}`);
  if (payout <= 0n || payout > expect.maxPayout) refuse(request, `the release pays ${payout} to the destination, expected 1..${expect.maxPayout}`);
  const inputTotal = spent.reduce((s, o) => s + o.value, 0n);
  const fee = inputTotal - payout - change;
  if (fee < 0n) refuse(request, 'the outputs exceed the inputs');
  if (payout + fee > expect.burned) refuse(request, `payout ${payout} plus fee ${fee} exceed the ${expect.burned} burned`);
  return tx.inputs.map((_, i) => federationSighash(fed, tx, i, spent));
}
