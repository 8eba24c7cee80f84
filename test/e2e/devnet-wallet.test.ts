/**
 * The devnet user's path, on real node processes and through the `utxo-relay devnet wallet` CLI:
 * fund a wallet on the main chain, lock coins with the federation (the test plays the federation
 * and mints them on the side chain, as the relayer will), see them on the side chain, burn them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../proofs/bytes.js';
import { decodeTransaction } from '../../proofs/bitcoin/transaction.js';
import { parseMemo } from '../../proofs/bitcoin/memo.js';
import { addressToScriptPubKey } from '../../ledgers/bitcoin/address.js';
import { parseCoins } from '../../ledgers/bitcoin/amount.js';
import { federationToJson } from '../../ledgers/bitcoin/federation-file.js';
import { lockScriptPubKey } from '../../ledgers/bitcoin/lock-script.js';
import { buildMint, testFederation } from '../../ledgers/devnet/test-utils.js';
import { BIN, DevnetProcess, testWallet, txidLE } from './devnet-harness.js';
import { eventually } from '../eventually.js';

const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-wallet-'));
const walletFile = join(dir, 'wallet.json');
const federationFile = join(dir, 'federation.json');
const { federation, privateKeys } = testFederation(2, 3);
/** Side blocks are mined to someone else, so that fees do not blur the wallet's balance. */
const sideMiner = testWallet('side-miner', 'uds').address;
writeFileSync(federationFile, JSON.stringify(federationToJson(federation)));

let main: DevnetProcess;
let side: DevnetProcess;

function wallet(node: DevnetProcess, ...args: string[]): { status: number | null; stdout: string; stderr: string; json: Record<string, unknown> } {
  const run = spawnSync(process.execPath, [BIN, 'devnet', 'wallet', '--wallet', walletFile, '--rpc', node.line.rpc, '--rpc-cookie', node.line.cookie!, '--coinbase-maturity', '1', '--json', ...args], { encoding: 'utf8' });
  const line = run.stdout.trim();
  return { status: run.status, stdout: line, stderr: run.stderr, json: line === '' ? {} : (JSON.parse(line) as Record<string, unknown>) };
}

before(async () => {
  main = await DevnetProcess.start(['--role', 'main', '--coinbase-maturity', '1']);
  side = await DevnetProcess.start(['--role', 'side', '--coinbase-maturity', '1', '--federation', federationFile, '--main-rpc', main.line.rpc, '--main-rpc-cookie', main.line.cookie!]);
});
after(async () => {
  await side?.stop();
  await main?.stop();
});

describe('devnet wallet: lock on main, mint (by the test federation), burn on side', () => {
  test('the whole user path, checked on both chains\' RPC', async () => {
    const mainAddress = wallet(main, 'address').json['address'] as string;
    assert.match(mainAddress, /^udm1q/);
    const sideAddress = wallet(side, 'address').json['address'] as string;
    assert.match(sideAddress, /^uds1q/, 'the same key, the side chain\'s address');
    await main.call('generatetoaddress', [2, mainAddress]);
    assert.equal(wallet(main, 'balance').json['balance'], '100.00000000');

    // lock 1.5 coins for the side address
    const lock = wallet(main, 'lock', '1.5', '--to', sideAddress, '--federation', federationFile);
    assert.equal(lock.status, 0, lock.stderr);
    const lockTxid = lock.json['txid'] as string;
    await main.call('generatetoaddress', [1, mainAddress]);
    const lockTx = decodeTransaction(hexToBytes(await main.call<string>('getrawtransaction', [lockTxid])));
    const lockVout = lockTx.tx.outputs.findIndex((o) => bytesToHex(o.scriptPubKey) === bytesToHex(lockScriptPubKey(federation)));
    assert.equal(lockTx.tx.outputs[lockVout]!.value, 150_000_000n);
    const memo = lockTx.tx.outputs.map((o) => parseMemo(o.scriptPubKey)).find((m) => m !== null);
    assert.ok(memo?.kind === 'lock');
    assert.equal(bytesToHex(memo.destinationScript), bytesToHex(addressToScriptPubKey('uds', sideAddress)));

    // the test federation mints it: proof from the main node's RPC, 2 of 3 signatures
    const lockBlock = (await main.call<{ blockhash: string }>('getrawtransaction', [lockTxid, true])).blockhash;
    const coinbaseTxid = (await main.call<{ tx: string[] }>('getblock', [lockBlock])).tx[0]!;
    const proof = {
      lockTx: lockTx.bytes,
      coinbase: hexToBytes(await main.call<string>('getrawtransaction', [coinbaseTxid, false, lockBlock])),
      merkleBlock: hexToBytes(await main.call<string>('gettxoutproof', [[lockTxid, coinbaseTxid], lockBlock])),
    };
    const minted = 150_000_000n - 10_000n;
    const mint = buildMint(federation, privateKeys, { lockTxidLE: txidLE(lockTxid), lockVout, outputs: [{ value: minted, scriptPubKey: addressToScriptPubKey('uds', sideAddress) }], proof, signers: [0, 2] });
    await eventually(async () => {
      const sent = await side.call<string>('sendrawtransaction', [bytesToHex(mint.bytes)]).catch((e: Error) => e);
      assert.equal(typeof sent, 'string', `the side node accepts the mint once it has followed the main chain: ${String(sent)}`);
    });
    await side.call('generatetoaddress', [1, sideMiner]);
    const claim = await side.call<{ claimed: boolean; mint?: string }>('getpegclaim', [lockTxid, lockVout]);
    assert.equal(claim.claimed, true);
    assert.equal(wallet(side, 'balance').json['balance'], '1.49990000');

    // burn 0.5 for the main address
    const burn = wallet(side, 'burn', '0.5', '--to', mainAddress);
    assert.equal(burn.status, 0, burn.stderr);
    await side.call('generatetoaddress', [1, sideMiner]);
    const burnTx = decodeTransaction(hexToBytes(await side.call<string>('getrawtransaction', [burn.json['txid'] as string])));
    const burnOut = burnTx.tx.outputs.find((o) => parseMemo(o.scriptPubKey)?.kind === 'burn')!;
    assert.equal(burnOut.value, parseCoins('0.5'));
    const burnMemo = parseMemo(burnOut.scriptPubKey);
    assert.ok(burnMemo?.kind === 'burn');
    assert.equal(bytesToHex(burnMemo.destinationScript), bytesToHex(addressToScriptPubKey('udm', mainAddress)));
  });

  test('wrong chain, too little money and bad arguments are refused with a clear message', () => {
    const onSide = wallet(side, 'lock', '1', '--to', 'uds1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq', '--federation', federationFile);
    assert.equal(onSide.status, 1);
    assert.match(onSide.stderr, /lock is a main-chain action/);
    const tooMuch = wallet(main, 'send', wallet(main, 'address').json['address'] as string, '1000000');
    assert.equal(tooMuch.status, 1);
    assert.equal((tooMuch.json['error'] as { code: string }).code, 'INSUFFICIENT_FUNDS');
    const badAmount = wallet(main, 'send', 'udm1xyz', '1.123456789');
    assert.equal(badAmount.status, 2);
    const wrongHrp = wallet(main, 'send', wallet(side, 'address').json['address'] as string, '1');
    assert.equal(wrongHrp.status, 1);
    assert.match(wrongHrp.stderr, /hrp|human-readable/i);
  });
});
