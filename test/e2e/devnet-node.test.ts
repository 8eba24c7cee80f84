/**
 * A real `utxo-relay devnet node` process driven over HTTP and websocket: authentication, JSON-RPC
 * framing and error codes, every method's result shape on a small chain with a signed P2WPKH
 * spend, gettxoutproof/verifytxoutproof against proofs/ verifyMerkleBlock, reorgs, the
 * notifier's messages, SIGTERM shutdown and usage errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { hashToDisplay } from '../../proofs/bytes.js';
import { publicKeyCompressed } from '../../ledgers/bitcoin/signatures.js';
import { verifyMerkleBlock } from '../../proofs/bitcoin/merkle-block.js';
import { eventually } from '../eventually.js';
import { BIN, DevnetProcess, opReturn, signedSpend, testWallet, txidLE } from './devnet-harness.js';

const miner = testWallet('miner');
const payee = testWallet('payee');

interface Vout {
  value: number;
  n: number;
  scriptPubKey: { asm: string; desc?: string; hex: string; address?: string; type: string };
}
interface TxJson {
  txid: string;
  hash: string;
  vin: Record<string, unknown>[];
  vout: Vout[];
  hex?: string;
  fee?: number;
  [key: string]: unknown;
}

/** Collects the notifier's messages. */
class WsCollector {
  readonly messages: Record<string, unknown>[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  }
  static async open(url: string): Promise<WsCollector> {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WsCollector(socket);
  }
  of(type: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m['type'] === type);
  }
}

describe('devnet node process: main role', () => {
  let node: DevnetProcess;
  let ws: WsCollector;

  before(async () => {
    node = await DevnetProcess.start(['--role', 'main', '--coinbase-maturity', '1']);
    ws = await WsCollector.open(node.line.ws);
  });
  after(async () => {
    ws?.socket.close();
    if (node !== undefined) assert.equal(await node.stop(), 0);
  });

  test('prints {role, rpc, ws, cookie}; the cookie is __cookie__:<hex>', () => {
    assert.equal(node.line.role, 'main');
    assert.match(node.line.rpc, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(node.line.ws, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(readFileSync(node.line.cookie!, 'utf8'), /^__cookie__:[0-9a-f]{64}$/);
  });

  test('auth: 401 with WWW-Authenticate without or with wrong credentials; the cookie works', async () => {
    const none = await node.post('{"id":1,"method":"getblockcount"}', {});
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Basic realm="jsonrpc"');
    const wrong = await node.post('{"id":1,"method":"getblockcount"}', { Authorization: `Basic ${Buffer.from('__cookie__:00').toString('base64')}` });
    assert.equal(wrong.status, 401);
    assert.deepEqual((await node.post('{"id":1,"method":"getblockcount"}')).body, { result: 0, error: null, id: 1 });
  });

  test('JSON-RPC 1.0 / 2.0 / batch statuses and Core error codes', async () => {
    assert.deepEqual(await pick(node.post('{"id":1,"method":"nosuchmethod"}')), { status: 404, body: { result: null, error: { code: -32601, message: 'Method not found' }, id: 1 } });
    assert.deepEqual(await pick(node.post('{"jsonrpc":"2.0","id":1,"method":"nosuchmethod"}')), { status: 200, body: { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 1 } });
    assert.deepEqual(await pick(node.post('{"id":2,"method":"getblockhash","params":[999]}')), { status: 500, body: { result: null, error: { code: -8, message: 'Block height out of range' }, id: 2 } });
    assert.equal((await node.post('{"id":3,"method":"getblockheader","params":["00"]}')).status, 500);
    assert.equal(((await node.post('{"id":3,"method":"getblockheader","params":[1]}')).body as { error: { code: number } }).error.code, -3);
    assert.equal(((await node.post('{"id":3,"method":"getblockheader","params":["' + '0'.repeat(64) + '"]}')).body as { error: { code: number } }).error.code, -5);
    assert.equal(((await node.post('{"id":3,"method":"getblockcount","params":[1]}')).body as { error: { code: number } }).error.code, -1);
    assert.equal(((await node.post('{"id":3,"method":"sendrawtransaction","params":["00"]}')).body as { error: { code: number } }).error.code, -22);
    assert.deepEqual(await pick(node.post('{oops')), { status: 500, body: { result: null, error: { code: -32700, message: 'Parse error' }, id: null } });
    assert.equal((await node.post('{"id":1}')).status, 400);
    assert.equal((await node.post('{"jsonrpc":"2.0","method":"getblockcount"}')).status, 204);
    const batch = await node.post('[{"id":1,"method":"getblockcount"},{"jsonrpc":"2.0","id":2,"method":"getblockhash","params":{"height":0}},{"id":3,"method":"nope"}]');
    assert.equal(batch.status, 200);
    const replies = batch.body as Record<string, unknown>[];
    assert.equal(replies.length, 3);
    assert.deepEqual(replies[0], { result: 0, error: null, id: 1 });
    assert.equal(replies[1]!['jsonrpc'], '2.0');
    assert.match(replies[1]!['result'] as string, /^[0-9a-f]{64}$/);
    assert.deepEqual(replies[2], { result: null, error: { code: -32601, message: 'Method not found' }, id: 3 });
  });

  test('chain info, mining and block methods have Core\'s shapes', async () => {
    const info = await node.call<Record<string, unknown>>('getblockchaininfo');
    for (const key of ['chain', 'blocks', 'headers', 'bestblockhash', 'difficulty', 'mediantime', 'verificationprogress', 'initialblockdownload', 'chainwork', 'size_on_disk', 'pruned', 'warnings']) assert.ok(key in info, key);
    assert.equal(info['chain'], 'devnet-main');
    const net = await node.call<Record<string, unknown>>('getnetworkinfo');
    assert.equal(net['version'], 280000);
    assert.equal(net['relayfee'], 0.00001);

    const hashes = await node.call<string[]>('generatetoaddress', [3, miner.address]);
    assert.equal(hashes.length, 3);
    await eventually(() => assert.equal(ws.of('hashblock').length, 3), { what: 'three hashblock messages' });
    assert.deepEqual(ws.of('hashblock').map((m) => m['height']), [1, 2, 3]);
    assert.deepEqual(ws.of('hashblock')[2], { type: 'hashblock', hash: hashes[2], height: 3 });
    assert.equal(await node.call('getblockcount'), 3);
    assert.equal(await node.call('getbestblockhash'), hashes[2]);
    assert.equal(await node.call('getblockhash', [1]), hashes[0]);
    assert.equal(await node.call('getblockhash', { height: 2 }), hashes[1]);

    const header = await node.call<Record<string, unknown>>('getblockheader', [hashes[1]]);
    assert.deepEqual(Object.keys(header), ['hash', 'confirmations', 'height', 'version', 'versionHex', 'merkleroot', 'time', 'mediantime', 'nonce', 'bits', 'target', 'difficulty', 'chainwork', 'nTx', 'previousblockhash', 'nextblockhash']);
    assert.equal(header['confirmations'], 2);
    assert.equal(header['nextblockhash'], hashes[2]);
    assert.equal(header['difficulty'], 4.656542373906925e-10);
    assert.match(await node.call<string>('getblockheader', [hashes[1], false]), /^[0-9a-f]{160}$/);

    const raw = await node.call<string>('getblock', [hashes[0], 0]);
    assert.match(raw, /^[0-9a-f]+$/);
    const v1 = await node.call<Record<string, unknown>>('getblock', [hashes[0]]);
    assert.deepEqual((v1['tx'] as string[]).length, 1);
    assert.equal(v1['size'], raw.length / 2);
    const v2 = await node.call<{ tx: TxJson[] }>('getblock', { blockhash: hashes[0], verbosity: 2 });
    const coinbase = v2.tx[0]!;
    assert.ok('coinbase' in coinbase.vin[0]!);
    const paid = coinbase.vout.find((o) => o.scriptPubKey.address === miner.address)!;
    assert.equal(paid.value, 50);
    assert.equal(paid.scriptPubKey.type, 'witness_v0_keyhash');
    assert.match(paid.scriptPubKey.desc!, /^addr\(udm1[0-9a-z]+\)#[0-9a-z]{8}$/);
    assert.equal(coinbase.fee, undefined);
    const v3 = await node.call<{ tx: TxJson[] }>('getblock', [hashes[0], 3]);
    assert.equal(v3.tx[0]!.txid, coinbase.txid);
    assert.deepEqual(await node.call('getblock', [hashes[0], true]), v1);

    const tips = await node.call<Record<string, unknown>[]>('getchaintips');
    assert.deepEqual(tips, [{ height: 3, hash: hashes[2], branchlen: 0, status: 'active' }]);
  });

  test('a signed P2WPKH spend: mempool methods, gettxout, getrawtransaction, then a proof of it', async () => {
    const firstBlock = await node.call<{ tx: TxJson[] }>('getblock', [await node.call('getblockhash', [1]), 2]);
    const coinbase = firstBlock.tx[0]!;
    const out = coinbase.vout.find((o) => o.scriptPubKey.address === miner.address)!;
    const spent = { value: 5_000_000_000n, scriptPubKey: miner.script };
    const rawHex = signedSpend(txidLE(coinbase.txid), out.n, spent, miner.privKey, [
      { value: 1_000_000_000n, scriptPubKey: payee.script },
      { value: 3_999_990_000n, scriptPubKey: miner.script },
    ]);

    const [test1] = await node.call<Record<string, unknown>[]>('testmempoolaccept', [[rawHex]]);
    assert.equal(test1!['allowed'], true);
    assert.deepEqual(test1!['fees'], { base: 0.0001, 'effective-feerate': (test1!['fees'] as Record<string, number>)['effective-feerate'], 'effective-includes': [test1!['wtxid']] });
    const decoded = await node.call<TxJson>('decoderawtransaction', [rawHex]);
    assert.equal(decoded.hex, undefined);

    const burn = signedSpend(txidLE(coinbase.txid), out.n, spent, miner.privKey, [{ value: 1000n, scriptPubKey: opReturn(Uint8Array.of(1, 2)) }, { value: 4_999_980_000n, scriptPubKey: miner.script }]);
    await assert.rejects(node.call('sendrawtransaction', [burn]), { code: -25 });

    const txid = await node.call<string>('sendrawtransaction', [rawHex]);
    assert.equal(txid, test1!['txid']);
    assert.equal(await node.call('sendrawtransaction', [rawHex]), txid, 'resending is idempotent');
    await eventually(() => assert.deepEqual(ws.of('hashtx'), [{ type: 'hashtx', txid }]), { what: 'hashtx message' });

    assert.deepEqual(await node.call('getrawmempool'), [txid]);
    const verbose = await node.call<Record<string, Record<string, unknown>>>('getrawmempool', [true]);
    const entry = verbose[txid]!;
    assert.deepEqual(Object.keys(entry), ['vsize', 'weight', 'time', 'height', 'descendantcount', 'descendantsize', 'ancestorcount', 'ancestorsize', 'wtxid', 'fees', 'depends', 'spentby', 'bip125-replaceable', 'unbroadcast']);
    assert.deepEqual(entry['fees'], { base: 0.0001, modified: 0.0001, ancestor: 0.0001, descendant: 0.0001 });
    assert.equal(entry['bip125-replaceable'], true);
    assert.deepEqual(await node.call('getmempoolentry', [txid]), entry);
    await assert.rejects(node.call('getmempoolentry', ['0'.repeat(64)]), { code: -5 });
    assert.equal((await node.call<Record<string, unknown>>('getmempoolinfo'))['size'], 1);

    const mempoolOut = await node.call<Record<string, unknown>>('gettxout', [txid, 0]);
    assert.equal(mempoolOut['confirmations'], 0);
    assert.equal(mempoolOut['value'], 10);
    assert.equal(await node.call('gettxout', [txid, 0, false]), null);
    assert.equal(await node.call('gettxout', [coinbase.txid, out.n]), null, 'spent in the mempool');

    const unconfirmed = await node.call<TxJson>('getrawtransaction', [txid, true]);
    assert.equal(unconfirmed['blockhash'], undefined);
    assert.equal(unconfirmed.hex, rawHex);
    assert.equal(await node.call('getrawtransaction', [txid]), rawHex);
    await assert.rejects(node.call('gettxoutproof', [[txid]]), { code: -5 });

    const [blockHash] = await node.call<string[]>('generatetoaddress', [1, miner.address]);
    assert.deepEqual(await node.call('getrawmempool'), []);
    const confirmed = await node.call<TxJson>('getrawtransaction', { txid, verbose: 2 });
    assert.equal(confirmed['blockhash'], blockHash);
    assert.equal(confirmed['confirmations'], 1);
    assert.equal(confirmed.fee, 0.0001);
    assert.deepEqual(confirmed.vin[0]!['prevout'], { generated: true, height: 1, value: 50, scriptPubKey: out.scriptPubKey });
    const inBlock = await node.call<Record<string, unknown>>('getrawtransaction', [txid, 1, blockHash]);
    assert.equal(inBlock['in_active_chain'], true);
    assert.equal((await node.call<{ tx: TxJson[] }>('getblock', [blockHash, 2])).tx[1]!.fee, 0.0001);
    assert.equal((await node.call<Record<string, unknown>>('gettxout', [txid, 1]))['confirmations'], 1);

    const proofHex = await node.call<string>('gettxoutproof', [[txid]]);
    assert.equal(await node.call('gettxoutproof', [[txid], blockHash]), proofHex);
    assert.deepEqual(await node.call('verifytxoutproof', [proofHex]), [txid]);
    const verified = verifyMerkleBlock(Uint8Array.from(Buffer.from(proofHex, 'hex')));
    assert.equal(hashToDisplay(verified.blockHashLE), blockHash);
    assert.deepEqual(verified.matched.map((m) => hashToDisplay(m.txidLE)), [txid]);
    const cbTxid = (await node.call<{ tx: string[] }>('getblock', [blockHash])).tx[0]!;
    const both = await node.call<string>('gettxoutproof', [[txid, cbTxid]]);
    assert.deepEqual(new Set(await node.call<string[]>('verifytxoutproof', [both])), new Set([txid, cbTxid]));
    await assert.rejects(node.call('gettxoutproof', [[txid, txid]]), { code: -8 });

    const scan = await node.call<Record<string, unknown>>('scantxoutset', ['start', [`addr(${payee.address})`]]);
    assert.equal(scan['success'], true);
    assert.equal(scan['total_amount'], 10);
    assert.deepEqual((scan['unspents'] as Record<string, unknown>[]).map((u) => [u['txid'], u['vout'], u['amount'], u['coinbase']]), [[txid, 0, 10, false]]);
    assert.equal((await node.call<Record<string, unknown>>('scantxoutset', ['start', [{ desc: `raw(${Buffer.from(payee.script).toString('hex')})` }]]))['total_amount'], 10);
    assert.equal(await node.call('scantxoutset', ['status']), null);
    assert.equal(await node.call('scantxoutset', ['abort']), false);
    await assert.rejects(node.call('scantxoutset', ['start', ['pkh(02aa)']]), { code: -5 });

    const fee = await node.call<Record<string, unknown>>('estimatesmartfee', [6]);
    assert.equal(fee['blocks'], 6);
    assert.ok((fee['feerate'] as number) >= 0.00001);

    assert.equal(await node.call('submitblock', [await node.call('getblock', [blockHash, 0])]), 'duplicate');
    await assert.rejects(node.call('submitblock', ['00']), { code: -22 });
  });

  test('generatetodescriptor and generateblock', async () => {
    const [h] = await node.call<string[]>('generatetodescriptor', [1, `raw(${Buffer.from(miner.script).toString('hex')})`]);
    assert.match(h!, /^[0-9a-f]{64}$/);
    const made = await node.call<{ hash: string }>('generateblock', [`addr(${miner.address})`, []]);
    assert.equal(await node.call('getbestblockhash'), made.hash);
    await assert.rejects(node.call('generateblock', [miner.address, [], false]), { code: -8 });
    await assert.rejects(node.call('generateblock', ['nonsense', []]), { code: -5 });
    const orphan = signedSpend(new Uint8Array(32).fill(9), 0, { value: 100_000n, scriptPubKey: miner.script }, miner.privKey, [{ value: 90_000n, scriptPubKey: miner.script }]);
    await assert.rejects(node.call('generateblock', [miner.address, [orphan]]), (e: { code: number; message: string }) => e.code === -25 && e.message.includes('TestBlockValidity failed'));
    await assert.rejects(node.call('generateblock', [miner.address, ['ab'.repeat(32)]]), { code: -5 });
  });

  test('invalidateblock / reconsiderblock and a competing branch: reorg messages before the new hashblock', async () => {
    const height = await node.call<number>('getblockcount');
    const tipHash = await node.call<string>('getbestblockhash');
    const parent = await node.call<string>('getblockhash', [height - 1]);
    ws.messages.length = 0;

    assert.equal(await node.call('invalidateblock', [tipHash]), null);
    assert.equal(await node.call('getbestblockhash'), parent);
    const tips = await node.call<Record<string, unknown>[]>('getchaintips');
    assert.deepEqual(tips.find((t) => t['hash'] === tipHash), { height, hash: tipHash, branchlen: 1, status: 'invalid' });
    assert.equal(await node.call('reconsiderblock', [tipHash]), null);
    assert.equal(await node.call('getbestblockhash'), tipHash);

    const branch = await node.call<string[]>('generateblockon', [parent, 2, miner.address]);
    assert.equal(branch.length, 2);
    assert.equal(await node.call('getbestblockhash'), branch[1]);
    await eventually(() => assert.ok(ws.of('reorg').length >= 1 && ws.messages.at(-1)?.['hash'] === branch[1], 'no reorg then hashblock yet'), { what: 'reorg then hashblock' });
    const reorg = ws.of('reorg').at(-1)!;
    assert.deepEqual(reorg['fork'], { hash: parent, height: height - 1 });
    assert.deepEqual(reorg['removed'], [{ hash: tipHash, height }]);
    assert.deepEqual(reorg['added'], [
      { hash: branch[0], height },
      { hash: branch[1], height: height + 1 },
    ]);
    const reorgIndex = ws.messages.lastIndexOf(reorg);
    assert.deepEqual(ws.messages[reorgIndex + 1], { type: 'hashblock', hash: branch[1], height: height + 1 });
    const tipsAfter = await node.call<Record<string, unknown>[]>('getchaintips');
    assert.deepEqual(tipsAfter.find((t) => t['hash'] === tipHash), { height, hash: tipHash, branchlen: 1, status: 'valid-fork' });
    assert.equal((await node.call<Record<string, unknown>>('getblockheader', [tipHash]))['confirmations'], -1);
    await assert.rejects(node.call('getpegclaim', ['0'.repeat(64), 0]), { code: -32601 });
  });
});

describe('devnet node process: lifecycle and the side role', () => {
  test('SIGTERM: exits 0 and removes the cookie from the datadir', async () => {
    const datadir = mkdtempSync(join(tmpdir(), 'utxo-relay-devnet-e2e-'));
    const node = await DevnetProcess.start(['--role', 'main', '--datadir', datadir]);
    assert.equal(node.line.cookie, join(datadir, '.cookie'));
    await node.call('generatetoaddress', [2, miner.address]);
    assert.equal(await node.stop(), 0);
    assert.ok(!existsSync(join(datadir, '.cookie')));
    assert.match(node.stderr(), /"event":"node.stopped"/);
    // the blocks were kept: a new node on the same datadir starts at height 2
    const again = await DevnetProcess.start(['--role', 'main', '--datadir', datadir, '--rpc-user', 'u', '--rpc-password', 'p'], { credentials: 'u:p' });
    try {
      assert.equal(again.line.cookie, undefined);
      assert.equal(await again.call('getblockcount'), 2);
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });

  test('usage errors exit 2 with a message and print nothing on stdout', () => {
    const fed = join(mkdtempSync(join(tmpdir(), 'utxo-relay-fed-')), 'bad.json');
    writeFileSync(fed, '{"threshold": 1}');
    for (const args of [
      ['--rpc-port', '0', '--ws-port', '0'],
      ['--role', 'main', '--rpc-port', 'x', '--ws-port', '0'],
      ['--role', 'main', '--rpc-port', '70000', '--ws-port', '0'],
      ['--role', 'main', '--rpc-port', '0', '--ws-port', '0', '--rpc-user', 'u'],
      ['--role', 'side', '--rpc-port', '0', '--ws-port', '0', '--main-rpc', 'http://127.0.0.1:1/'],
      ['--role', 'side', '--rpc-port', '0', '--ws-port', '0', '--federation', fed, '--main-rpc', 'http://127.0.0.1:1/'],
      ['--role', 'main', '--rpc-port', '0', '--ws-port', '0', '--main-rpc', 'http://127.0.0.1:1/'],
      ['--role', 'main', '--rpc-port', '0', '--ws-port', '0', '--mine-interval', '0'],
      ['--role', 'main', '--rpc-port', '0', '--ws-port', '0', '--mine-interval', '1', '--mine-address', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'],
    ]) {
      const run = spawnSync(process.execPath, [BIN, 'devnet', 'node', ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.ok(run.stderr.length > 0);
    }
  });

  test('a port in use: exit 1', async () => {
    const first = await DevnetProcess.start(['--role', 'main']);
    try {
      const port = new URL(first.line.rpc).port;
      const run = spawnSync(process.execPath, [BIN, 'devnet', 'node', '--role', 'main', '--rpc-port', port, '--ws-port', '0'], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });

  test('--mine-interval mines on its own; the side role follows the main chain and answers getpegclaim', async () => {
    const main = await DevnetProcess.start(['--role', 'main', '--mine-interval', '0.2']);
    const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-side-'));
    const fedFile = join(dir, 'federation.json');
    writeFileSync(fedFile, JSON.stringify({ threshold: 1, publicKeys: [compressedKeyHex('fed-a'), compressedKeyHex('fed-b')], lockType: 'taproot' }));
    let side: DevnetProcess | undefined;
    try {
      await eventually(async () => assert.ok((await main.call<number>('getblockcount')) >= 2, 'fewer than 2 blocks yet'), { what: 'timer blocks on main' });
      side = await DevnetProcess.start(['--role', 'side', '--federation', fedFile, '--main-rpc', main.line.rpc, '--main-rpc-cookie', main.line.cookie!, '--datadir', join(dir, 'side')]);
      assert.equal((await side.call<Record<string, unknown>>('getblockchaininfo'))['chain'], 'devnet-side');
      assert.deepEqual(await side.call('getpegclaim', ['11'.repeat(32), 0]), { claimed: false });
      await eventually(() => assert.match(side!.stderr(), /"event":"main-follower.headers"/), { what: 'the side node to take main headers' });
      assert.ok(existsSync(join(dir, 'side', 'main-headers.dat')));
    } finally {
      if (side !== undefined) assert.equal(await side.stop(), 0);
      assert.equal(await main.stop(), 0);
    }
  });
});

async function pick(reply: Promise<{ status: number; body: unknown }>): Promise<{ status: number; body: unknown }> {
  const r = await reply;
  return { status: r.status, body: r.body };
}

function compressedKeyHex(label: string): string {
  return Buffer.from(publicKeyCompressed(testWallet(label).privKey)).toString('hex');
}
