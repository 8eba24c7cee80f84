/**
 * `utxo-relay demo` (what `npm start` runs): the whole bridge on this machine. Two devnet chains
 * mining a block a second, Redis (REDIS_URL when it answers, else a private redis-server), the
 * relayer with config/devnet.yaml, and a user's peg-in and peg-out with the devnet wallet, each
 * step printed as it happens. Then it keeps running until Ctrl-C (`--once`: exits 0 after the demo).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { formatCoins } from '../../../ledgers/bitcoin/amount.js';
import { loadFederationFile } from '../../../ledgers/bitcoin/federation-file.js';
import { DevnetWallet } from '../../../ledgers/devnet/wallet/devnet-wallet.js';
import { WalletFile } from '../../../ledgers/devnet/wallet/wallet-file.js';
import { displayToHash } from '../../../proofs/bytes.js';
import { decodeTransaction } from '../../../proofs/bitcoin/transaction.js';
import { DEVNET_FEDERATION, devnetRedis, startDevnetNodes, writeDevnetConfig } from '../../devnet/devnet-stack.js';
import { resetDeployment } from '../../devnet/reset-deployment.js';
import { createLogger } from '../../log.js';
import { createRedisConnection, closeQuietly } from '../../redis/connections.js';
import { startRelayer, type Relayer } from '../../service.js';
import { transferIdOf, type TransferId } from '../../transfer.js';

export interface DemoCliOptions {
  once?: boolean;
}

const say = (line: string): void => {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
};

/** Prints the transfer's history as it grows and resolves once it is completed (or rejects when it stops elsewhere). */
async function follow(relayer: Relayer, id: TransferId, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let printed = 0;
  for (;;) {
    const events = await relayer.ctx.store.events(id);
    for (const e of events.slice(printed)) say(`    ${id.slice(0, 14)}… ${e.from ?? 'new'} -> ${e.to}: ${e.note}`);
    printed = events.length;
    const t = await relayer.ctx.store.get(id);
    if (t?.state === 'completed') return;
    if (t?.state === 'rejected' || t?.state === 'held') throw new Error(`transfer ${id} is ${t.state}: ${t.reason?.code}: ${t.reason?.message}`);
    if (Date.now() > deadline) throw new Error(`transfer ${id} did not complete within ${timeoutMs / 1000} s (state ${t?.state ?? 'not seen'})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function demoCommand(options: DemoCliOptions): Promise<number> {
  say('starting two devnet chains (a block a second on each)...');
  const nodes = await startDevnetNodes({ mineIntervalSeconds: 1, pegConfirmations: 1 });
  const cleanups: (() => Promise<void>)[] = [() => nodes.stop()];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    say(`  main ${nodes.main.line.rpc}  side ${nodes.side.line.rpc}  (data in ${nodes.dir})`);
    const redis = await devnetRedis();
    if (redis.server !== undefined) cleanups.push(() => redis.server!.stop());
    say(redis.server === undefined ? `Redis: using ${redis.url}` : `Redis: not using the one at REDIS_URL (${redis.unused ?? 'none answered'}); started a private redis-server at ${redis.url}`);
    const config = writeDevnetConfig(join(nodes.dir, 'relayer.yaml'), nodes, redis.url);
    const admin = createRedisConnection(redis.url, 'command', 'demo');
    await resetDeployment(admin, config.redis.prefix, config.deployment);
    await closeQuietly(admin);
    const logFile = join(nodes.dir, 'relayer.log');
    const relayer = await startRelayer(config, { logger: createLogger(config.log.level, { deployment: config.deployment }, createWriteStream(logFile)) });
    cleanups.push(() => relayer.stop());
    say(`relayer started (config ${config.file}; JSON logs in ${logFile})`);

    const walletFile = WalletFile.open(join(nodes.dir, 'wallet.json'));
    const mainWallet = new DevnetWallet(walletFile, nodes.mainRpc);
    const sideWallet = new DevnetWallet(walletFile, nodes.sideRpc);
    const key = walletFile.primaryKey();
    const mainAddress = await mainWallet.address(key);
    const sideAddress = await sideWallet.address(key);
    await nodes.mainRpc.call('generatetoaddress', [101, mainAddress]);
    say(`user: mined 101 main-chain blocks to ${mainAddress}: ${formatCoins((await mainWallet.balance()).spendable)} spendable`);

    const federation = loadFederationFile(DEVNET_FEDERATION);
    const lockAmount = 150_000_000n;
    const lock = await mainWallet.lock(lockAmount, sideAddress, federation);
    const lockVout = decodeTransaction(lock.raw).tx.outputs.findIndex((o) => o.value === lockAmount);
    const pegIn = transferIdOf('pegin', displayToHash(lock.txid), lockVout);
    say(`peg-in: locked ${formatCoins(lockAmount)} on main to ${lock.lockAddress} for ${sideAddress} (tx ${lock.txid})`);
    await follow(relayer, pegIn);
    say(`peg-in complete: side balance ${formatCoins((await sideWallet.balance()).spendable)}`);

    const burnAmount = 100_000_000n;
    const burn = await sideWallet.burn(burnAmount, mainAddress);
    const burnVout = decodeTransaction(burn.raw).tx.outputs.findIndex((o) => o.value === burnAmount);
    const pegOut = transferIdOf('pegout', displayToHash(burn.txid), burnVout);
    say(`peg-out: burned ${formatCoins(burnAmount)} on side for ${mainAddress} (tx ${burn.txid})`);
    await follow(relayer, pegOut);
    const out = await relayer.ctx.store.require(pegOut);
    say(`peg-out complete: release ${out.payout?.txid} paid ${formatCoins(out.amount - (out.payout?.fee ?? 0n))} (fee ${formatCoins(out.payout?.fee ?? 0n)})`);
    say(`balances: main ${formatCoins((await mainWallet.balance()).spendable)}, side ${formatCoins((await sideWallet.balance()).spendable)}`);

    if (options.once === true) {
      say('demo done (--once): stopping');
      await cleanup();
      return 0;
    }
    say('demo done; the bridge keeps running. Try: npx utxo-relay transfers list --config ' + config.file + '   (Ctrl-C stops everything)');
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    say('stopping...');
    await cleanup();
    return 0;
  } catch (e) {
    say(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
    await cleanup();
    return 1;
  }
}
