/**
 * The npm package `bitcoin-core` (a Bitcoin Core RPC client this project did not write) drives a
 * devnet node process: what a bitcoind client expects must work unchanged, including its
 * big-number JSON parser on our 8-decimal amounts, named parameters, batches and error codes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import Client from 'bitcoin-core';
import { DevnetProcess, signedSpend, testWallet, txidLE } from './devnet-harness.js';

interface RpcFailure {
  code: number;
  message: string;
}

/** The client's generated per-method functions (not in its type declarations). */
interface CoreMethods {
  getBlockCount(): Promise<number>;
  getBestBlockHash(): Promise<string>;
  generateToAddress(n: number, address: string): Promise<string[]>;
  getBlock(hash: string, verbosity?: number): Promise<Record<string, unknown>>;
  getRawTransaction(txid: string, verbose?: boolean): Promise<Record<string, unknown> | string>;
  sendRawTransaction(hex: string): Promise<string>;
  getBlockHash(height: number): Promise<string>;
}

describe('the bitcoin-core npm client against a devnet node', () => {
  let node: DevnetProcess;
  let client: Client;
  let core: CoreMethods;
  const wallet = testWallet('bitcoin-core client');

  before(async () => {
    node = await DevnetProcess.start(['--role', 'main', '--coinbase-maturity', '1']);
    const [username, password] = readFileSync(node.line.cookie!, 'utf8').split(':') as [string, string];
    client = new Client({ host: node.line.rpc.replace(/\/$/, ''), username, password, version: '0.21.0', timeout: 10_000 });
    core = client as unknown as CoreMethods;
  });
  after(async () => {
    if (node !== undefined) assert.equal(await node.stop(), 0);
  });

  test('getblockchaininfo, generatetoaddress, getblock, getrawtransaction, sendrawtransaction, batches and errors', async () => {
    const info = await client.command<Record<string, unknown>>('getblockchaininfo');
    assert.equal(info['chain'], 'devnet-main');
    assert.equal(info['blocks'], 0);

    const hashes = await core.generateToAddress(2, wallet.address);
    assert.equal(hashes.length, 2);
    assert.equal(await core.getBlockCount(), 2);
    assert.equal(await core.getBestBlockHash(), hashes[1]);

    const block = await core.getBlock(hashes[0]!, 2);
    const coinbase = (block['tx'] as { txid: string; vout: { value: number | string; n: number; scriptPubKey: { address?: string } }[] }[])[0]!;
    const out = coinbase.vout.find((o) => o.scriptPubKey.address === wallet.address)!;
    // json-bigint hands back the amount as the client would use it: 50
    assert.equal(Number(out.value), 50);

    const named = await client.command<Record<string, unknown>>('getblock', { blockhash: hashes[0], verbosity: 1 });
    assert.deepEqual(named['tx'], [coinbase.txid]);

    const raw = signedSpend(txidLE(coinbase.txid), out.n, { value: 5_000_000_000n, scriptPubKey: wallet.script }, wallet.privKey, [{ value: 4_999_900_000n, scriptPubKey: wallet.script }]);
    const txid = await core.sendRawTransaction(raw);
    assert.equal(await core.getRawTransaction(txid), raw);
    const decoded = (await core.getRawTransaction(txid, true)) as Record<string, unknown>;
    assert.equal(decoded['txid'], txid);

    const batch = await client.command<unknown[]>([{ method: 'getblockcount' }, { method: 'getblockhash', parameters: [1] }, { method: 'getblockhash', parameters: [99] }]);
    assert.equal(batch[0], 2);
    assert.equal(batch[1], hashes[0]);
    assert.equal((batch[2] as RpcFailure).code, -8);

    await assert.rejects(core.getBlockHash(99), (e: RpcFailure) => e.code === -8 && /out of range/.test(e.message));
    // a Core method the devnet does not serve: the client sees Core's 404 / -32601
    await assert.rejects(client.command('getwalletinfo'), (e: RpcFailure) => e.code === -32601);
  });
});
