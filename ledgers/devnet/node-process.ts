/**
 * Devnet nodes as child processes (`utxo-relay devnet node ...`), for the conformance driver and
 * the end-to-end tests: start one and wait for its JSON line, stop it with SIGTERM (SIGKILL after
 * a timeout). A started process never outlives the process that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `utxo-relay` executable of this checkout. */
export const UTXO_RELAY_BIN = fileURLToPath(new URL('../../bin/utxo-relay.js', import.meta.url));

/** The JSON line a node prints once it listens. */
export interface NodeLine {
  readonly role: string;
  readonly rpc: string;
  readonly ws: string;
  readonly cookie?: string;
}

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly line: NodeLine;
  /** The last 20,000 characters the node wrote to stderr (its JSON logs). */
  stderr(): string;
}

/** Starts `utxo-relay devnet node ...args` and resolves once its JSON line is printed. */
export async function spawnDevnetNode(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<NodeProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [UTXO_RELAY_BIN, 'devnet', 'node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const reap = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-20_000);
  });
  const line = await new Promise<NodeLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`devnet node did not print its JSON line within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const nl = stdout.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(stdout.slice(0, nl)) as NodeLine);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devnet node exited with ${String(code)} before its JSON line; stderr:\n${stderr}`));
    });
  });
  return { child, line, stderr: () => stderr };
}

/** Sends SIGTERM and resolves with the exit code (SIGKILL after `timeoutMs`). */
export function stopNodeProcess(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}
