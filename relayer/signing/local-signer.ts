/**
 * This operator's own key as the whole federation (1-of-1), or as its one share of an M-of-N
 * federation: it checks the spend (check-spend.ts) and signs each message with its key — Schnorr
 * for a mint and a taproot lock, DER plus SIGHASH_ALL for a p2wsh lock.
 */
import { concatBytes } from '../../proofs/bytes.js';
import type { Federation } from '../../ledgers/bitcoin/lock-script.js';
import { signEcdsa, signSchnorr } from '../../ledgers/bitcoin/signatures.js';
import { RelayerError } from '../errors.js';
import { checkSpend } from './check-spend.js';
import type { FederationSigner, SigningRequest } from './signer.js';

const SIGHASH_ALL = 0x01;

export class LocalSigner implements FederationSigner {
  constructor(
    private readonly federation: Federation,
    private readonly privateKey: Uint8Array,
    readonly keyIndex: number,
  ) {}

  /** This key's signatures of a checked spend. */
  sign(request: SigningRequest): Uint8Array[] {
    const messages = checkSpend(this.federation, request);
    const schnorr = request.expect.kind === 'mint' || this.federation.lockType === 'taproot';
    return messages.map((m) => (schnorr ? signSchnorr(m, this.privateKey) : concatBytes(signEcdsa(m, this.privateKey), Uint8Array.of(SIGHASH_ALL))));
  }

  async collect(request: SigningRequest): Promise<ReadonlyMap<number, readonly Uint8Array[]>> {
    if (this.federation.threshold > 1) {
      throw new RelayerError('SIGNER_REFUSED', `${request.transferId}: the federation needs ${this.federation.threshold} signatures; a local signer gives one (configure the federation signer)`);
    }
    return new Map([[this.keyIndex, this.sign(request)]]);
  }
}
