/**
 * For the tests of one RPC method: an in-process devnet chain behind the RPC server, started in
 * `before` and closed in `after` of the calling describe block, and the check that a call was
 * refused with Core's error code.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { LedgerError } from '../../../errors.js';
import { JsonRpcClient } from '../../../rpc/json-rpc-client.js';
import type { DevnetChain } from '../../chain/devnet-chain.js';
import { startRpcServer, type RpcServer } from '../server.js';
import { createDispatch } from './index.js';

const credentials = { user: 'u', password: 'p' };

/** An assert.rejects check: NODE_REFUSED with `rpcCode` (and a message matching `message`). */
export function refusedWith(rpcCode: number, message?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof LedgerError && e.code === 'NODE_REFUSED', String(e));
    assert.equal(e.details['rpcCode'], rpcCode, e.message);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  };
}

/** The chain `create` makes (in `before`, after `setUp`) served over RPC in the main role; read them in tests, not at describe time. */
export function servedChain(create: () => DevnetChain): { readonly chain: DevnetChain; readonly client: JsonRpcClient } {
  let chain: DevnetChain | undefined;
  let server: RpcServer | undefined;
  let client: JsonRpcClient | undefined;
  before(async () => {
    const c = create();
    chain = c;
    server = await startRpcServer({ port: 0, credentials, dispatch: createDispatch('main', () => ({ kind: 'ready', chain: c, startedAt: 0 })) });
    client = new JsonRpcClient({ url: server.url, ...credentials });
  });
  after(async () => {
    await server?.close();
    await chain?.close();
  });
  return {
    get chain(): DevnetChain {
      if (chain === undefined) throw new Error('servedChain: read before the before hook ran');
      return chain;
    },
    get client(): JsonRpcClient {
      if (client === undefined) throw new Error('servedChain: read before the before hook ran');
      return client;
    },
  };
}
