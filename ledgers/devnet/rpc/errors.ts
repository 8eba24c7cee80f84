/**
 * RPC errors: the error object `{code, message}` a method answers with, with Bitcoin Core's
 * numeric codes (src/rpc/protocol.h). Methods throw `RpcError`; the JSON-RPC layer turns it into
 * the reply. Anything else a method throws is a bug and answers RPC_MISC_ERROR (-1), as Core does
 * for a std::exception.
 */
import { UtxoRelayError } from '../../../proofs/base-error.js';

/** Core's RPCErrorCode names and numbers (the subset the devnet answers with). */
export const RPC_ERROR_CODES = {
  RPC_PARSE_ERROR: -32700,
  RPC_INVALID_REQUEST: -32600,
  RPC_METHOD_NOT_FOUND: -32601,
  RPC_MISC_ERROR: -1,
  RPC_TYPE_ERROR: -3,
  RPC_INVALID_ADDRESS_OR_KEY: -5,
  RPC_INVALID_PARAMETER: -8,
  RPC_DESERIALIZATION_ERROR: -22,
  RPC_VERIFY_ERROR: -25,
  RPC_VERIFY_REJECTED: -26,
  RPC_VERIFY_ALREADY_IN_CHAIN: -27,
  RPC_IN_WARMUP: -28,
} as const;

export type RpcErrorName = keyof typeof RPC_ERROR_CODES;

/** The `error` member of a JSON-RPC reply. */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
}

/** An RPC method's refusal. `code` is Core's name; `rpcCode` the number clients see. */
export class RpcError extends UtxoRelayError<RpcErrorName> {
  get rpcCode(): number {
    return RPC_ERROR_CODES[this.code];
  }

  override get docsPath(): string {
    return 'docs/devnet.md#rpc-errors';
  }

  toObject(): RpcErrorObject {
    return { code: this.rpcCode, message: this.message };
  }
}

/** Shorthand: `throw rpcError('RPC_INVALID_PARAMETER', 'Block height out of range')`. */
export function rpcError(code: RpcErrorName, message: string, cause?: unknown): RpcError {
  return new RpcError(code, message, cause === undefined ? {} : { cause });
}
