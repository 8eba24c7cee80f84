/**
 * `utxo-relay devnet wallet ...`: the devnet user's wallet. Keys live in a local file; every
 * command talks to one devnet node over its RPC (`--rpc`), which tells the wallet whether it is
 * the main or the side chain. Prints what happened and what happens next (or JSON with --json).
 */
import type { Command } from 'commander';
import { UtxoRelayError } from '../../../proofs/base-error.js';
import { formatCoins, parseCoins } from '../../../ledgers/bitcoin/amount.js';
import { loadFederationFile } from '../../../ledgers/bitcoin/federation-file.js';
import { JsonRpcClient } from '../../../ledgers/rpc/json-rpc-client.js';
import { DevnetWallet } from '../../../ledgers/devnet/wallet/devnet-wallet.js';
import { defaultWalletPath, WalletFile } from '../../../ledgers/devnet/wallet/wallet-file.js';
import { UsageError } from '../usage-error.js';
import type { SetExit } from '../proof/output.js';

type WalletAction = (w: DevnetWallet, o: WalletCliOptions & Record<string, string>, args: string[], file: WalletFile) => Promise<Record<string, unknown>>;

interface WalletCliOptions {
  wallet?: string;
  rpc?: string;
  rpcUser?: string;
  rpcPassword?: string;
  rpcCookie?: string;
  feeRate?: string;
  coinbaseMaturity?: string;
  json?: boolean;
}

export function registerWalletCommands(devnet: Command, setExit: SetExit): void {
  const wallet = devnet
    .command('wallet')
    .description("a devnet user's wallet: addresses, balance, send, and the bridge's lock (main) and burn (side)")
    .option('--wallet <FILE>', 'wallet file (created on first use)', defaultWalletPath())
    .option('--rpc <URL>', 'RPC URL of the devnet node to use (main or side)')
    .option('--rpc-user <U>', 'RPC user')
    .option('--rpc-password <W>', 'RPC password')
    .option('--rpc-cookie <FILE>', "the node's .cookie file, instead of user and password")
    .option('--fee-rate <N>', 'fee rate in base units per virtual byte (default: the node\'s estimate)')
    .option('--coinbase-maturity <N>', "the node's coinbase maturity", '100')
    .option('--json', 'print one JSON object instead of text');

  // commander calls an action with (...positional arguments, options, command)
  const run = (action: WalletAction) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    setExit(await runWalletAction(command.optsWithGlobals<WalletCliOptions & Record<string, string>>(), args.slice(0, -2) as string[], action));
  };

  wallet
    .command('address')
    .description('print the wallet\'s receiving address on this chain (--new: a new one)')
    .option('--new', 'generate a new key and address')
    .action(run(async (w, o, _args, file) => {
      const newOne = (o as { new?: boolean }).new === true;
      const key = newOne ? file.newKey() : file.primaryKey();
      const address = await w.address(key);
      return { address, text: `${address}\n(on the devnet ${await w.chainRole()} chain; fund it with generatetoaddress on the node, or a send from another wallet)` };
    }));

  wallet
    .command('balance')
    .description('confirmed, spendable balance of every wallet key')
    .action(run(async (w) => {
      const { spendable, coins } = await w.balance();
      return { chain: await w.chainRole(), balance: formatCoins(spendable), coins, text: `${formatCoins(spendable)} coins spendable in ${coins} outputs on the devnet ${await w.chainRole()} chain` };
    }));

  wallet
    .command('send')
    .description('pay an address on the same chain')
    .argument('<ADDRESS>')
    .argument('<AMOUNT>', 'coins, e.g. 1.5')
    .action(run(async (w, _o, [address, amount]) => {
      const sent = await w.send(address!, coins(amount!, 'AMOUNT'));
      return { txid: sent.txid, fee: formatCoins(sent.fee), text: `sent ${amount} to ${address}\ntxid ${sent.txid} (fee ${formatCoins(sent.fee)})\nnext: it confirms in the chain's next block` };
    }));

  wallet
    .command('lock')
    .description('main chain: lock coins with the federation, to be minted to ADDRESS on the side chain')
    .argument('<AMOUNT>', 'coins, e.g. 1.5')
    .requiredOption('--to <SIDE_ADDRESS>', 'the side-chain address that receives the minted coins')
    .requiredOption('--federation <FILE>', 'the federation file (threshold, public keys, lock type)')
    .action(run(async (w, { to, federation }, [amount]) => {
      const sent = await w.lock(coins(amount!, 'AMOUNT'), to!, loadFederationFile(federation!));
      return {
        txid: sent.txid,
        lockAddress: sent.lockAddress,
        fee: formatCoins(sent.fee),
        text:
          `locked ${amount} coins with the federation (${sent.lockAddress}) for ${to}\ntxid ${sent.txid} (fee ${formatCoins(sent.fee)})\n` +
          'next: once the lock has its confirmations on the main chain, the operators verify it and mint the same amount (less the fee) to that address on the side chain',
      };
    }));

  wallet
    .command('burn')
    .description('side chain: burn pegged coins, to be released to ADDRESS on the main chain')
    .argument('<AMOUNT>', 'coins, e.g. 1.5')
    .requiredOption('--to <MAIN_ADDRESS>', 'the main-chain address that receives the released coins')
    .action(run(async (w, { to }, [amount]) => {
      const sent = await w.burn(coins(amount!, 'AMOUNT'), to!);
      return {
        txid: sent.txid,
        fee: formatCoins(sent.fee),
        text:
          `burned ${amount} pegged coins for ${to}\ntxid ${sent.txid} (fee ${formatCoins(sent.fee)})\n` +
          'next: once the burn has its confirmations on the side chain, the operators release the same amount (less the fee) from the lock to that address on the main chain',
      };
    }));
}

async function runWalletAction(options: WalletCliOptions & Record<string, string>, args: string[], action: WalletAction): Promise<number> {
  if (options.rpc === undefined) throw new UsageError('--rpc <URL> is required: the RPC URL of a devnet node');
  const rpc = new JsonRpcClient({
    url: options.rpc,
    ...(options.rpcUser === undefined ? {} : { user: options.rpcUser, password: options.rpcPassword ?? '' }),
    ...(options.rpcCookie === undefined ? {} : { cookieFile: options.rpcCookie }),
  });
  const feeRate = integer('--fee-rate', options.feeRate);
  const coinbaseMaturity = integer('--coinbase-maturity', options.coinbaseMaturity);
  try {
    const file = WalletFile.open(options.wallet ?? defaultWalletPath());
    const wallet = new DevnetWallet(file, rpc, { ...(feeRate === undefined ? {} : { feeRate }), ...(coinbaseMaturity === undefined ? {} : { coinbaseMaturity }) });
    const { text, ...result } = await action(wallet, options, args, file);
    process.stdout.write(options.json === true ? `${JSON.stringify(result)}\n` : `${String(text)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UtxoRelayError || e instanceof RangeError) {
      const code = e instanceof UtxoRelayError ? e.code : 'INVALID_ARGUMENT';
      if (options.json === true) process.stdout.write(`${JSON.stringify({ error: { code, message: e.message } })}\n`);
      process.stderr.write(`utxo-relay: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function coins(text: string, label: string): bigint {
  try {
    return parseCoins(text, label);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}
