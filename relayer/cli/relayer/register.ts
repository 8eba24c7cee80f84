/** Registers the operator's commands: start, demo (npm start), transfers, pause/resume, rescan. */
import { Command, Option } from 'commander';
import type { SetExit } from '../proof/output.js';
import { demoCommand } from './demo-command.js';
import { UsageError } from '../usage-error.js';
import { CONFIG_ENV, registerOperatorCommands } from './operator-commands.js';
import { rescanCommand } from './rescan-command.js';
import { startCommand } from './start-command.js';

export function registerRelayerCommands(program: Command, setExit: SetExit): void {
  program
    .command('start')
    .description('run the relayer (watchers, sweeper, workers) until SIGTERM/SIGINT; JSON-line logs on stdout')
    .requiredOption('--config <FILE>', 'the relayer config (YAML, docs/config.md)')
    .addOption(new Option('--no-watch', 'do not run the watchers and the sweeper (a worker-only process)'))
    .addOption(new Option('--no-work', 'do not run the worker pools (a watcher-only process)'))
    .action(async (o: { config: string; watch: boolean; work: boolean }) => setExit(await startCommand(o)));

  program
    .command('demo')
    .description('the bridge on this machine (what npm start runs): two devnet chains, Redis, the relayer, a peg-in and a peg-out')
    .option('--once', 'exit 0 after the demo instead of running until Ctrl-C')
    .action(async (o: { once?: boolean }) => setExit(await demoCommand(o)));

  registerOperatorCommands(program, setExit);

  program
    .command('rescan')
    .description('rebuild every transfer record from both chains (after Redis was lost), then queue what is pending; prints a JSON report')
    .option('--config <FILE>', `the relayer config (YAML, docs/config.md) [default: $${CONFIG_ENV}]`)
    .action(async (o: { config?: string }) => {
      const config = o.config ?? (process.env[CONFIG_ENV] || undefined);
      if (config === undefined) throw new UsageError(`--config <FILE> is required: the relayer config (or set ${CONFIG_ENV} to its path)`);
      setExit(await rescanCommand({ config }));
    });
}
