/**
 * JSON-RPC framing as Bitcoin Core (v28+) does it (src/httprpc.cpp, src/rpc/request.cpp):
 *
 * - A request without `"jsonrpc"` or with `"1.0"` is legacy: the reply carries both `result` and
 *   `error` (one null), and a failed call answers an HTTP error status: 400 for -32600 (invalid
 *   request), 404 for -32601 (method not found), 500 for anything else.
 * - A `"2.0"` request gets `{"jsonrpc":"2.0", "result"|"error", "id"}` with HTTP 200 whatever the
 *   method answered; without `id` it is a notification: executed, answered 204 with no body.
 * - Any other `jsonrpc` value, a missing or non-string `method`, or `params` that is neither array
 *   nor object is -32600 (HTTP 400, before the version is known to be 2.0, so in the legacy shape).
 * - A body that is not JSON is -32700 "Parse error" (HTTP 500); a top level that is neither object
 *   nor array is -32700 "Top-level object parse error".
 * - A batch (array) always answers HTTP 200 with one reply per non-notification element, each in
 *   its own element's version; an all-notification non-empty batch answers 204; `[]` answers `[]`.
 * - An `id` absent from a legacy request is absent from its reply.
 */
import { RpcError, type RpcErrorObject } from './errors.js';
import { encodeJson, type JsonValue } from './json.js';
import type { ParamValue } from './params.js';

/** Runs one method: the result, or throws RpcError (anything else answers RPC_MISC_ERROR). */
export type Dispatch = (method: string, params: ParamValue[] | { [key: string]: ParamValue }) => Promise<JsonValue> | JsonValue;

export interface JsonRpcResponse {
  readonly status: number;
  /** The body (JSON and a newline), absent for 204. */
  readonly body?: string;
}

type Version = '1.0' | '2.0';

interface ParsedRequest {
  id: ParamValue | undefined;
  version: Version;
  method: string;
  params: ParamValue[] | { [key: string]: ParamValue };
}

/** Answers one HTTP body. Never throws. */
export async function handleJsonRpc(bodyText: string, dispatch: Dispatch): Promise<JsonRpcResponse> {
  let request: ParamValue;
  try {
    request = JSON.parse(bodyText) as ParamValue;
  } catch {
    return errorResponse({ code: -32700, message: 'Parse error' }, null, '1.0');
  }
  if (Array.isArray(request)) return batch(request, dispatch);
  if (request === null || typeof request !== 'object') return errorResponse({ code: -32700, message: 'Top-level object parse error' }, null, '1.0');

  const state: { id: ParamValue | undefined; version: Version } = { id: null, version: '1.0' };
  let parsed: ParsedRequest;
  try {
    parsed = parseRequest(request, state);
  } catch (e) {
    return errorResponse(errorObject(e), state.id, state.version);
  }
  if (parsed.version === '1.0') {
    try {
      const result = await dispatch(parsed.method, parsed.params);
      return { status: 200, body: `${encodeJson(reply(result, null, parsed.id, '1.0'))}\n` };
    } catch (e) {
      return errorResponse(errorObject(e), parsed.id, '1.0');
    }
  }
  const answer = await execute(parsed, dispatch);
  if (parsed.id === undefined) return { status: 204 };
  return { status: 200, body: `${encodeJson(answer)}\n` };
}

async function batch(requests: ParamValue[], dispatch: Dispatch): Promise<JsonRpcResponse> {
  const replies: JsonValue[] = [];
  for (const element of requests) {
    const state: { id: ParamValue | undefined; version: Version } = { id: null, version: '1.0' };
    let answer: JsonValue;
    let notification = false;
    try {
      const parsed = parseRequest(element, state);
      notification = parsed.version === '2.0' && parsed.id === undefined;
      answer = await execute(parsed, dispatch);
    } catch (e) {
      notification = state.version === '2.0' && state.id === undefined;
      answer = reply(null, errorObject(e), state.id, state.version);
    }
    if (!notification) replies.push(answer);
  }
  if (replies.length === 0 && requests.length > 0) return { status: 204 };
  return { status: 200, body: `${encodeJson(replies)}\n` };
}

/** Runs a parsed request and catches its error into the reply (Core's JSONRPCExec with catch_errors). */
async function execute(parsed: ParsedRequest, dispatch: Dispatch): Promise<JsonValue> {
  try {
    return reply(await dispatch(parsed.method, parsed.params), null, parsed.id, parsed.version);
  } catch (e) {
    return reply(null, errorObject(e), parsed.id, parsed.version);
  }
}

/** Core's JSONRPCRequest::parse. Sets `state.id` and `state.version` as soon as they are known. */
function parseRequest(value: ParamValue, state: { id: ParamValue | undefined; version: Version }): ParsedRequest {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RpcError('RPC_INVALID_REQUEST', 'Invalid Request object');
  state.id = Object.hasOwn(value, 'id') ? value['id']! : undefined;
  const version = value['jsonrpc'];
  if (version !== undefined && version !== null) {
    if (typeof version !== 'string') throw new RpcError('RPC_INVALID_REQUEST', 'jsonrpc field must be a string');
    if (version === '2.0') state.version = '2.0';
    else if (version !== '1.0') throw new RpcError('RPC_INVALID_REQUEST', 'JSON-RPC version not supported');
  }
  const method = value['method'];
  if (method === undefined || method === null) throw new RpcError('RPC_INVALID_REQUEST', 'Missing method');
  if (typeof method !== 'string') throw new RpcError('RPC_INVALID_REQUEST', 'Method must be a string');
  const params = value['params'];
  if (params !== undefined && params !== null && typeof params !== 'object') throw new RpcError('RPC_INVALID_REQUEST', 'Params must be an array or object');
  return { id: state.id, version: state.version, method, params: params ?? [] };
}

/** Core's JSONRPCReplyObj. */
function reply(result: JsonValue, error: RpcErrorObject | null, id: ParamValue | undefined, version: Version): JsonValue {
  const out: { [key: string]: JsonValue | undefined } = {};
  if (version === '2.0') out['jsonrpc'] = '2.0';
  if (error === null) {
    out['result'] = result;
    if (version === '1.0') out['error'] = null;
  } else {
    if (version === '1.0') out['result'] = null;
    out['error'] = { code: error.code, message: error.message };
  }
  if (id !== undefined) out['id'] = id;
  return out;
}

/** Core's JSONErrorReply: the legacy shape with the HTTP status the error code maps to. */
function errorResponse(error: RpcErrorObject, id: ParamValue | undefined, version: Version): JsonRpcResponse {
  const status = error.code === -32600 ? 400 : error.code === -32601 ? 404 : 500;
  return { status, body: `${encodeJson(reply(null, error, id, version))}\n` };
}

function errorObject(e: unknown): RpcErrorObject {
  if (e instanceof RpcError) return e.toObject();
  return { code: -1, message: e instanceof Error ? e.message : String(e) };
}
