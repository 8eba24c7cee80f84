/**
 * A TestChainDriver for the devnet (docs/devnet.md): real `node bin/utxo-relay.js devnet node`
 * processes with a data directory (so that a stopped node comes back with its chain, on the same
 * ports), a funded P2WPKH test wallet, and the test federation of ledgers/devnet/test-utils.ts.
 * - main: the wallet is funded by coinbases (`--coinbase-maturity 1`);
 * - side: the side node follows a main driver's node; the wallet is funded by a peg-in (a lock on
 *   main, a mint signed by the test federation on side), since the side chain has no subsidy.
 * Test code: it keeps its wallet's coins in memory and chains unconfirmed change.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bytesToHex, displayToHash, hashToDisplay, hexToBytes } from '../../proofs/bytes.js';
import { encodeMemo } from '../../proofs/bitcoin/memo.js';
import type { TxOutput } from '../../proofs/bitcoin/transaction.js';
import type { RpcEndpoint } from '../rpc/json-rpc-client.js';
import { JsonRpcClient } from '../rpc/json-rpc-client.js';
import { federationToJson } from '../bitcoin/federation-file.js';
import { lockScriptPubKey, type Federation } from '../bitcoin/lock-script.js';
import { buildSignedPayment, type SpendableCoin } from '../devnet/wallet/build-payment.js';
import { spawnDevnetNode, stopNodeProcess } from '../devnet/node-process.js';
import { Wallet, buildMint, testFederation } from '../devnet/test-utils.js';
import type { TestChainDriver } from './driver.js';

const USER = 'conformance';


export interface DevnetDriverOptions {
  /** Folder for the node's data directory and federation file. [Default: a new temporary folder, removed by close()] */
  readonly dir?: string;
}

export class DevnetChainDriver implements TestChainDriver {
  readonly federation: Federation;
  readonly federationPrivateKeys: readonly Uint8Array[];
  readonly wallet: Wallet;
  private coins: SpendableCoin[] = [];
  private child: ChildProcess | undefined;
  private readonly client: JsonRpcClient;
  private readonly burner = Wallet.of('conformance burner').script;
  /** Side role: the main driver whose chain this side node follows. */
  private main: DevnetChainDriver | undefined;

  private constructor(
    readonly role: 'main' | 'side',
    private readonly args: readonly string[],
    readonly rpcUrl: string,
    readonly wsUrl: string,
    private readonly password: string,
    child: ChildProcess,
    private readonly dir: string,
    private readonly ownsDir: boolean,
    fed: { federation: Federation; privateKeys: Uint8Array[] },
  ) {
    this.child = child;
    this.federation = fed.federation;
    this.federationPrivateKeys = fed.privateKeys;
    this.wallet = Wallet.of(`conformance ${role}`);
    this.client = new JsonRpcClient(this.endpoint);
  }

  /** The endpoint an adapter uses to reach this node. */
  get endpoint(): RpcEndpoint {
    return { url: this.rpcUrl, user: USER, password: this.password, timeoutMs: 5_000 };
  }

  /** A main node with a funded wallet. */
  static async startMain(options: DevnetDriverOptions = {}): Promise<DevnetChainDriver> {
    const driver = await DevnetChainDriver.launch('main', [], options, testFederation(2, 3));
    await driver.mine(3, driver.wallet.script);
    const scan = await driver.client.call<{ unspents: { txid: string; vout: number; amount: number }[] }>('scantxoutset', ['start', [`raw(${bytesToHex(driver.wallet.script)})`]]);
    driver.coins = scan.unspents.map((u) => ({
      txidLE: displayToHash(u.txid),
      vout: u.vout,
      output: { value: BigInt(Math.round(u.amount * 1e8)), scriptPubKey: driver.wallet.script },
      privateKey: driver.wallet.privateKey,
    }));
    return driver;
  }

  /** A side node following `main` (a main driver), with a wallet funded by a peg-in of 10 coins. */
  static async startSide(main: DevnetChainDriver, options: DevnetDriverOptions = {}): Promise<DevnetChainDriver> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'utxo-relay-conformance-'));
    const fedFile = join(dir, 'federation.json');
    writeFileSync(fedFile, JSON.stringify(federationToJson(main.federation)));
    const mainUrl = new URL(main.rpcUrl);
    mainUrl.username = USER;
    mainUrl.password = main.password;
    const driver = await DevnetChainDriver.launch('side', ['--federation', fedFile, '--main-rpc', mainUrl.href], { dir }, { federation: main.federation, privateKeys: [...main.federationPrivateKeys] }, options.dir === undefined);
    driver.main = main;
    // fund the wallet: a peg-in (lock on main, mint on side)
    const value = 1_000_000_000n;
    const lock = await driver.pegIn(value, driver.wallet.script);
    const mint = buildMint(driver.federation, driver.federationPrivateKeys, {
      lockTxidLE: lock.lockTxidLE,
      lockVout: lock.lockVout,
      outputs: [{ value: value - 10_000n, scriptPubKey: driver.wallet.script }],
      proof: { lockTx: lock.proof.rawTx, coinbase: lock.proof.coinbaseTx, merkleBlock: lock.proof.merkleBlock },
    });
    await driver.client.call('sendrawtransaction', [bytesToHex(mint.bytes)]);
    await driver.mine(1);
    driver.coins = [{ txidLE: mint.txidLE, vout: 0, output: { value: value - 10_000n, scriptPubKey: driver.wallet.script }, privateKey: driver.wallet.privateKey }];
    return driver;
  }

  /** Side role: locks on the main driver's chain and waits until this side node would accept a mint of it. */
  async pegIn(value: bigint, destinationScript: Uint8Array): Promise<{ lockTxidLE: Uint8Array; lockVout: number; proof: { kind: 'merkleblock'; rawTx: Uint8Array; coinbaseTx: Uint8Array; merkleBlock: Uint8Array } }> {
    const main = this.main;
    if (main === undefined) throw new Error('pegIn: only a side driver pegs in');
    const lock = await main.send([
      { value, scriptPubKey: lockScriptPubKey(this.federation) },
      { value: 0n, scriptPubKey: encodeMemo({ kind: 'lock', destinationScript }) },
    ]);
    const [blockHash] = (await main.mine(1)) as [Uint8Array];
    const block = await main.client.call<{ tx: string[] }>('getblock', [hashToDisplay(blockHash), 1]);
    const coinbaseTxid = block.tx[0]!;
    const merkleBlock = hexToBytes(await main.client.call<string>('gettxoutproof', [[hashToDisplay(lock.txidLE), coinbaseTxid], hashToDisplay(blockHash)]));
    const coinbaseTx = hexToBytes(await main.client.call<string>('getrawtransaction', [coinbaseTxid, 0]));
    const proof = { kind: 'merkleblock' as const, rawTx: lock.rawTx, coinbaseTx, merkleBlock };
    // a throwaway mint of the lock, tested (not sent) until the side node follows the lock's block
    const probe = buildMint(this.federation, this.federationPrivateKeys, {
      lockTxidLE: lock.txidLE,
      lockVout: 0,
      outputs: [{ value: value - 1_000n, scriptPubKey: destinationScript }],
      proof: { lockTx: lock.rawTx, coinbase: coinbaseTx, merkleBlock },
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [result] = await this.client.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [[bytesToHex(probe.bytes)]]);
      if (result?.allowed === true) break;
      if (Date.now() > deadline) throw new Error(`pegIn: the side node does not accept a mint of the lock: ${result?.['reject-reason'] ?? 'no answer'}`);
      await sleep(100);
    }
    return { lockTxidLE: lock.txidLE, lockVout: 0, proof };
  }

  private static async launch(
    role: 'main' | 'side',
    extra: readonly string[],
    options: DevnetDriverOptions,
    fed: { federation: Federation; privateKeys: Uint8Array[] },
    ownsDir = options.dir === undefined,
  ): Promise<DevnetChainDriver> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'utxo-relay-conformance-'));
    const password = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
    const base = ['--role', role, '--coinbase-maturity', '1', '--datadir', join(dir, role), '--rpc-user', USER, '--rpc-password', password, ...extra];
    const { child, line } = await spawnDevnetNode([...base, '--rpc-port', '0', '--ws-port', '0']);
    const rpcPort = new URL(line.rpc).port;
    const wsPort = new URL(line.ws).port;
    const driver = new DevnetChainDriver(role, [...base, '--rpc-port', rpcPort, '--ws-port', wsPort], line.rpc, line.ws, password, child, dir, ownsDir, fed);
    await driver.ready();
    return driver;
  }

  /** Waits until the node answers (a side node warms up while it follows main). */
  private async ready(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.client.call('getblockcount');
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await sleep(50);
      }
    }
  }

  async mine(count: number, toScript: Uint8Array = this.burner): Promise<Uint8Array[]> {
    const hashes = await this.client.call<string[]>('generatetodescriptor', [count, `raw(${bytesToHex(toScript)})`]);
    return hashes.map((h) => displayToHash(h));
  }

  async mineOn(parentHashLE: Uint8Array, count: number): Promise<Uint8Array[]> {
    const parent = await this.client.call<{ height: number }>('getblockheader', [hashToDisplay(parentHashLE), true]);
    const child = await this.client.call<string>('getblockhash', [parent.height + 1]);
    await this.client.call('invalidateblock', [child]);
    const hashes = await this.mine(count);
    await this.client.call('reconsiderblock', [child]);
    const best = await this.client.call<string>('getbestblockhash');
    if (best !== hashToDisplay(hashes[hashes.length - 1]!)) throw new Error(`mineOn: the new branch is not the best chain (tip ${best})`);
    return hashes;
  }

  async send(outputs: readonly TxOutput[]): Promise<{ txidLE: Uint8Array; rawTx: Uint8Array }> {
    const payment = buildSignedPayment({ coins: this.coins, outputs, feeRate: 2, changeScript: this.wallet.script });
    await this.client.call('sendrawtransaction', [bytesToHex(payment.raw)]);
    const spent = new Set(payment.spent.map((c) => `${bytesToHex(c.txidLE)}:${c.vout}`));
    this.coins = this.coins.filter((c) => !spent.has(`${bytesToHex(c.txidLE)}:${c.vout}`));
    if (payment.change > 0n) {
      this.coins.push({ txidLE: payment.txidLE, vout: outputs.length, output: { value: payment.change, scriptPubKey: this.wallet.script }, privateKey: this.wallet.privateKey });
    }
    return { txidLE: payment.txidLE, rawTx: payment.raw };
  }

  async stopNode(): Promise<void> {
    if (this.child !== undefined) await stopNodeProcess(this.child);
    this.child = undefined;
  }

  async startNode(): Promise<void> {
    if (this.child !== undefined) return;
    this.child = (await spawnDevnetNode(this.args)).child;
    await this.ready();
  }

  /** Stops the node and removes the temporary folder it created. */
  async close(): Promise<void> {
    await this.stopNode();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
