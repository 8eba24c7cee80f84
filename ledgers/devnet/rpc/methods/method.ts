/**
 * What an RPC method is: Core's name, its parameters (positional order and names), the roles it
 * exists in, and a function from the node's context and the positional values to the result.
 */
import type { ChainApi, DevnetRole } from '../../chain-api.js';
import type { JsonValue } from '../json.js';
import type { ParamSpec, ParamValue } from '../params.js';

export interface MethodContext {
  readonly chain: ChainApi;
  /** Unix seconds when the node started (uptime). */
  readonly startedAt: number;
  /** Every method this node serves (help). */
  readonly methods: readonly RpcMethod[];
}

export interface RpcMethod {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Devnet-only methods say which roles have them; Core's methods exist in both. */
  readonly roles?: readonly DevnetRole[];
  /** One line for `help`. */
  readonly summary: string;
  run(ctx: MethodContext, args: readonly ParamValue[]): JsonValue;
}
