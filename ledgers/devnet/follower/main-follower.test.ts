/**
 * The main-chain follower against an in-process main node (DevnetChain behind the RPC server):
 * initial sync, a reorg of the main chain, and a node that answers a header with another hash.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashToDisplay } from '../../../proofs/bytes.js';
import { HeaderChain } from '../../../proofs/bitcoin/header-chain.js';
import { DevnetChain } from '../chain/devnet-chain.js';
import { DEVNET_MAIN } from '../params.js';
import { createDispatch } from '../rpc/methods/index.js';
import { startRpcServer } from '../rpc/server.js';
import { MainChainFollower } from './main-follower.js';
import { LedgerError } from '../../errors.js';
import { JsonRpcClient } from '../../rpc/json-rpc-client.js';

const credentials = { user: 'u', password: 'p' };
const script = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(7));

describe('main-chain follower', () => {
  test('syncs from genesis, follows a reorg to the branch of most work', async () => {
    const chain = DevnetChain.create({ role: 'main' });
    const server = await startRpcServer({ port: 0, credentials, dispatch: createDispatch('main', () => ({ kind: 'ready', chain, startedAt: 0 })) });
    try {
      const headers = HeaderChain.fromGenesis(DEVNET_MAIN);
      const follower = new MainChainFollower({ client: new JsonRpcClient({ url: server.url.replace('http://', 'http://u:p@') }), headers });
      const first = chain.generate(5, script);
      assert.equal(await follower.sync(), 5);
      assert.equal(headers.tipHeight, 5);
      assert.equal(await follower.sync(), 0);
      // a competing branch from height 3, longer: the node reorganizes and so does the follower
      const branch = chain.generateOn(first[2]!, 4, script);
      assert.equal(await follower.sync(), 4);
      assert.equal(hashToDisplay(headers.tip.hashLE), hashToDisplay(branch[3]!));
      assert.equal(headers.tipHeight, 7);
    } finally {
      await server.close();
      await chain.close();
    }
  });

  test('a header whose hash is not the one asked for is refused; wrong credentials are refused, a dead port is no answer', async () => {
    const chain = DevnetChain.create({ role: 'main' });
    chain.generate(2, script);
    const honest = createDispatch('main', () => ({ kind: 'ready', chain, startedAt: 0 }));
    const server = await startRpcServer({
      port: 0,
      credentials,
      authFailureDelayMs: 0,
      dispatch: (method, params) => {
        const result = honest(method, params);
        // lie about the tip's header: flip one byte of the nonce
        if (method === 'getblockheader' && typeof result === 'string') return `${result.slice(0, 150)}${result[150] === '0' ? '1' : '0'}${result.slice(151)}`;
        return result;
      },
    });
    try {
      const headers = HeaderChain.fromGenesis(DEVNET_MAIN);
      const liar = new MainChainFollower({ client: new JsonRpcClient({ url: server.url, ...credentials }), headers });
      await assert.rejects(liar.sync(), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_FAULTY');
      assert.equal(headers.tipHeight, 0);
      const locked = new JsonRpcClient({ url: server.url, user: 'u', password: 'wrong' });
      await assert.rejects(locked.call('getblockcount'), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_AUTH');
      const nobody = new JsonRpcClient({ url: 'http://127.0.0.1:1/', timeoutMs: 2000 });
      await assert.rejects(nobody.call('getblockcount'), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_UNREACHABLE');
      await assert.rejects(new JsonRpcClient({ url: server.url, ...credentials }).call('getblockhash', [99]), (e: unknown) => e instanceof LedgerError && e.code === 'NODE_REFUSED' && e.details['rpcCode'] === -8);
    } finally {
      await server.close();
      await chain.close();
    }
  });
});
