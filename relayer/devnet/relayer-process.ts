/**
 * A `utxo-relay start` child process for the end-to-end tests and the benchmark: stdout and stderr
 * go to `logFile`, and it is SIGKILLed if the parent exits first (a test that fails never leaves a
 * relayer running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { UTXO_RELAY_BIN } from '../../ledgers/devnet/node-process.js';

export interface RelayerProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

/** Starts `utxo-relay start --config <configPath> <args>`, with `nodeArgs` for node itself (e.g. --cpu-prof). */
export function spawnRelayer(configPath: string, logFile: string, args: readonly string[] = [], nodeArgs: readonly string[] = []): RelayerProcess {
  const child = spawn(process.execPath, [...nodeArgs, UTXO_RELAY_BIN, 'start', '--config', configPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(logFile);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const reap = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', reap);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', reap);
      resolve(code);
    }),
  );
  return { child, logFile, exited };
}
