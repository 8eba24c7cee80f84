/**
 * Signing, behind the interface the federation plugs into. The pipeline hands a `SigningRequest`
 * (the unsigned payout and what this operator verified about it) to a `FederationSigner`, which
 * returns at least M keys' signatures. In this release the federation is this operator's key alone
 * (`LocalSigner`, 1-of-1); an M-of-N signer collects the other members' signatures over the
 * network and returns them the same way, each member checking the request with `checkSpend`.
 */
import type { UnsignedSpend, Utxo } from '../../ledgers/adapter.js';
import type { TransferId } from '../transfer.js';

export interface MintExpectation {
  readonly kind: 'mint';
  readonly lockTxidLE: Uint8Array;
  readonly lockVout: number;
  readonly destination: Uint8Array;
  readonly amount: bigint;
}

export interface ReleaseExpectation {
  readonly kind: 'release';
  /** The lock outputs it may spend (their scripts and values: the sighashes commit to them). */
  readonly inputs: readonly Utxo[];
  readonly destination: Uint8Array;
  /** Paid to the destination: the burned amount minus the fee, at most. */
  readonly maxPayout: bigint;
  /** The burned amount: payout + fee never exceeds it. */
  readonly burned: bigint;
  readonly burnsHashLE: Uint8Array;
}

export interface SigningRequest {
  readonly transferId: TransferId;
  readonly unsigned: UnsignedSpend;
  /** What this operator verified from the proven source transaction; the signer checks the spend against it. */
  readonly expect: MintExpectation | ReleaseExpectation;
}

export interface FederationSigner {
  /** The federation's signatures of a spend: key index -> one signature per sighash, at least M keys. */
  collect(request: SigningRequest): Promise<ReadonlyMap<number, readonly Uint8Array[]>>;
}
