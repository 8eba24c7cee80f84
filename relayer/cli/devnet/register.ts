/** Registers `utxo-relay devnet ...`: the built-in development chain. */
import { Command, Option } from 'commander';
import type { SetExit } from '../proof/output.js';
import { devnetNode, type DevnetNodeCliOptions } from './devnet-node.js';
import { registerWalletCommands } from './wallet-commands.js';

export function registerDevnetCommands(program: Command, setExit: SetExit): void {
  const devnet = program.command('devnet').description('the built-in development chain (docs/devnet.md)');

  devnet
    .command('node')
    .description(
      'run a devnet node: a Bitcoin Core-compatible JSON-RPC server and a websocket notifier; prints one JSON line {"role","rpc","ws","cookie"?} on stdout, logs JSON lines on stderr, stops on SIGTERM/SIGINT',
    )
    .addOption(new Option('--role <ROLE>', 'main (block subsidy, locks) or side (no subsidy, peg-in mints)').choices(['main', 'side']).makeOptionMandatory())
    .requiredOption('--rpc-port <P>', 'JSON-RPC port (0: any free port)')
    .requiredOption('--ws-port <Q>', 'websocket notifier port (0: any free port)')
    .option('--bind <ADDR>', 'interface both servers listen on [default: 127.0.0.1]')
    .option('--datadir <D>', 'keep blocks, invalidations, main-chain headers and the RPC cookie here [default: memory only, cookie in a temporary folder]')
    .option('--rpc-user <U>', 'RPC basic-auth user (with --rpc-password) [default: cookie authentication]')
    .option('--rpc-password <W>', 'RPC basic-auth password (with --rpc-user)')
    .option('--federation <FILE>', 'federation JSON {"threshold","publicKeys","lockType"} [required for --role side]')
    .option('--main-rpc <URL>', 'the main node to follow, http://[user:password@]host:port/ [required for --role side]')
    .option('--main-rpc-cookie <FILE>', "the main node's .cookie file (instead of credentials in --main-rpc)")
    .option('--mine-interval <S>', 'mine a block every S seconds [default: only on demand]')
    .option('--mine-address <ADDR>', "coinbase address of --mine-interval's blocks [default: a fresh key's P2WPKH, key not kept]")
    .option('--coinbase-maturity <N>', 'blocks before a coinbase output can be spent [default: 100]')
    .option('--peg-confirmations <N>', 'main-chain confirmations a lock needs before it can be minted (side role) [default: 1]')
    .action(async (options: DevnetNodeCliOptions) => setExit(await devnetNode(options)));

  registerWalletCommands(devnet, setExit);
}
