/**
 * The `utxo-relay` command line. Every command is registered here; each lives in its own file.
 * Exit codes: 0 success/valid, 1 invalid input or failure (with a JSON error where the command
 * prints JSON), 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { registerDevnetCommands } from './devnet/register.js';
import { registerProofCommands } from './proof/register.js';
import { registerRelayerCommands } from './relayer/register.js';
import { UsageError } from './usage-error.js';

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('utxo-relay')
    .description('Operator-run bridge relayer between two UTXO blockchains')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .showHelpAfterError('(run with --help for usage)');
  const setExit = (code: number): void => {
    exitCode = code;
  };
  registerProofCommands(program, setExit);
  registerDevnetCommands(program, setExit);
  registerRelayerCommands(program, setExit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`utxo-relay: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return exitCode;
}
