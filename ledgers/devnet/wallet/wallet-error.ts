import { UtxoRelayError } from '../../../proofs/base-error.js';

export const WALLET_ERROR_CODES = ['INSUFFICIENT_FUNDS', 'WALLET_FILE_INVALID', 'AMOUNT_TOO_SMALL', 'NODE_REFUSED'] as const;
export type WalletErrorCode = (typeof WALLET_ERROR_CODES)[number];

/** The devnet wallet could not do what was asked; the message says what to do instead. */
export class WalletError extends UtxoRelayError<WalletErrorCode> {
  static override readonly docsFile = 'docs/devnet-errors.md';
}
