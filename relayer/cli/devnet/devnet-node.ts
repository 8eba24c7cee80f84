/**
 * `utxo-relay devnet node`: checks the options (a UsageError, exit 2, names the option and the
 * fix), starts a devnet node, prints `{"role","rpc","ws","cookie"?}` as one JSON line on stdout,
 * logs JSON lines on stderr, and on SIGTERM or SIGINT closes its servers, removes its cookie and
 * returns 0. A failure to start (a port in use, an unreadable data directory) returns 1.
 */
import { FederationFileError, loadFederationFile } from '../../../ledgers/bitcoin/federation-file.js';
import type { Federation } from '../../../ledgers/bitcoin/lock-script.js';
import { decodeSegwitAddress } from '../../../ledgers/bitcoin/address.js';
import type { DevnetRole } from '../../../ledgers/devnet/chain-api.js';
import { jsonLinesLog } from '../../../ledgers/devnet/log.js';
import { startDevnetNode, type DevnetNodeHandle, type DevnetNodeOptions } from '../../../ledgers/devnet/node.js';
import { devnetNetwork } from '../../../ledgers/devnet/params.js';
import { integerOption } from '../proof/network-option.js';
import { printJson } from '../proof/output.js';
import { UsageError } from '../usage-error.js';

export interface DevnetNodeCliOptions {
  role: string;
  rpcPort: string;
  wsPort: string;
  bind?: string;
  datadir?: string;
  rpcUser?: string;
  rpcPassword?: string;
  federation?: string;
  mainRpc?: string;
  mainRpcCookie?: string;
  mineInterval?: string;
  mineAddress?: string;
  coinbaseMaturity?: string;
  pegConfirmations?: string;
}

/** Turns the command line into node options, or throws a UsageError. */
export function devnetNodeOptions(cli: DevnetNodeCliOptions): DevnetNodeOptions {
  if (cli.role !== 'main' && cli.role !== 'side') throw new UsageError(`--role: expected main or side, got ${JSON.stringify(cli.role)}`);
  const role: DevnetRole = cli.role;
  const port = (name: string, value: string): number => {
    const n = integerOption(name, value)!;
    if (n > 65535) throw new UsageError(`${name}: expected a port number 0..65535, got ${value}`);
    return n;
  };
  if ((cli.rpcUser === undefined) !== (cli.rpcPassword === undefined)) {
    throw new UsageError('--rpc-user and --rpc-password go together: give both, or neither for cookie authentication');
  }
  if (cli.rpcUser !== undefined && (cli.rpcUser.includes(':') || cli.rpcUser === '')) throw new UsageError('--rpc-user: must be non-empty and must not contain ":"');
  if (cli.rpcPassword === '') throw new UsageError('--rpc-password: must not be empty');
  if (role === 'side') {
    if (cli.federation === undefined) throw new UsageError('--role side needs --federation FILE (the federation that signs mints)');
    if (cli.mainRpc === undefined) throw new UsageError('--role side needs --main-rpc URL (the main node whose headers prove the locks)');
  } else {
    for (const [flag, value] of [['--main-rpc', cli.mainRpc], ['--main-rpc-cookie', cli.mainRpcCookie], ['--peg-confirmations', cli.pegConfirmations]] as const) {
      if (value !== undefined) throw new UsageError(`${flag} is for --role side only`);
    }
  }
  let federation: Federation | undefined;
  if (cli.federation !== undefined) {
    try {
      federation = loadFederationFile(cli.federation);
    } catch (e) {
      if (e instanceof FederationFileError) throw new UsageError(`--federation: ${e.message}`);
      throw e;
    }
  }
  let mainRpc: DevnetNodeOptions['mainRpc'];
  if (cli.mainRpc !== undefined) {
    let url: URL;
    try {
      url = new URL(cli.mainRpc);
    } catch {
      throw new UsageError(`--main-rpc: not a URL: ${JSON.stringify(cli.mainRpc)} (expected http://[user:password@]host:port/)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--main-rpc: expected an http:// URL, got ${url.protocol}`);
    mainRpc = { url: cli.mainRpc, ...(cli.mainRpcCookie === undefined ? {} : { cookieFile: cli.mainRpcCookie }) };
  }
  let mineIntervalSeconds: number | undefined;
  if (cli.mineInterval !== undefined) {
    mineIntervalSeconds = Number(cli.mineInterval);
    if (!/^\d+(\.\d+)?$/.test(cli.mineInterval) || !(mineIntervalSeconds >= 0.05) || mineIntervalSeconds > 86_400) {
      throw new UsageError(`--mine-interval: expected seconds between 0.05 and 86400, got ${JSON.stringify(cli.mineInterval)}`);
    }
  }
  if (cli.mineAddress !== undefined) {
    const hrp = devnetNetwork(role).hrp;
    try {
      decodeSegwitAddress(hrp, cli.mineAddress);
    } catch (e) {
      throw new UsageError(`--mine-address: ${(e as Error).message} (a ${role} devnet address starts with ${hrp}1)`);
    }
    if (mineIntervalSeconds === undefined) throw new UsageError('--mine-address is the address of --mine-interval\'s blocks: give --mine-interval too');
  }
  const pegConfirmations = integerOption('--peg-confirmations', cli.pegConfirmations);
  if (pegConfirmations === 0) throw new UsageError('--peg-confirmations: at least 1');
  const coinbaseMaturity = integerOption('--coinbase-maturity', cli.coinbaseMaturity);
  return {
    role,
    rpcPort: port('--rpc-port', cli.rpcPort),
    wsPort: port('--ws-port', cli.wsPort),
    ...(cli.bind === undefined ? {} : { host: cli.bind }),
    ...(cli.datadir === undefined ? {} : { datadir: cli.datadir }),
    ...(cli.rpcUser === undefined || cli.rpcPassword === undefined ? {} : { rpcCredentials: { user: cli.rpcUser, password: cli.rpcPassword } }),
    ...(federation === undefined ? {} : { federation }),
    ...(mainRpc === undefined ? {} : { mainRpc }),
    ...(mineIntervalSeconds === undefined ? {} : { mineIntervalSeconds }),
    ...(cli.mineAddress === undefined ? {} : { mineAddress: cli.mineAddress }),
    ...(coinbaseMaturity === undefined ? {} : { coinbaseMaturity }),
    ...(pegConfirmations === undefined ? {} : { pegConfirmations }),
  };
}

export async function devnetNode(cli: DevnetNodeCliOptions): Promise<number> {
  const options = devnetNodeOptions(cli);
  const log = jsonLinesLog(`devnet-${options.role}`);
  let node: DevnetNodeHandle;
  try {
    node = await startDevnetNode({ ...options, log });
  } catch (e) {
    log('error', 'node.start-failed', { message: e instanceof Error ? e.message : String(e) });
    process.stderr.write(`utxo-relay: devnet node failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  printJson({ role: node.role, rpc: node.rpcUrl, ws: node.wsUrl, ...(node.cookieFile === undefined ? {} : { cookie: node.cookieFile }) });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log('info', 'node.stopping', { signal });
  await node.close();
  log('info', 'node.stopped', {});
  return 0;
}
