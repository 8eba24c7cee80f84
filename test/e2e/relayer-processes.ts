/**
 * The relayer processes of an end-to-end test, seen through their logs: started and remembered
 * (killed ones too, for a failure message), up and running, and the tails of their logs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { eventually } from '../eventually.js';
import type { Bridge, RelayerProcess } from './bridge-harness.js';

export interface RelayerStarter {
  /** The log file of every relayer `start` started, killed ones too (`bridge.relayers` forgets those). */
  readonly logs: readonly string[];
  /** Starts one more relayer process on the bridge. */
  start(): RelayerProcess;
}

export function relayerStarter(bridge: Bridge): RelayerStarter {
  const logs: string[] = [];
  return {
    logs,
    start(): RelayerProcess {
      const r = bridge.startRelayer();
      logs.push(r.logFile);
      return r;
    },
  };
}

/** Waits until each process logged that it runs (on a loaded machine a start takes tens of seconds). */
export async function untilStarted(relayers: readonly RelayerProcess[]): Promise<void> {
  await eventually(
    () => {
      for (const r of relayers) {
        assert.equal(r.child.exitCode, null, `relayer ${r.child.pid} exited: ${readFileSync(r.logFile, 'utf8').slice(-2000)}`);
        assert.ok(readFileSync(r.logFile, 'utf8').includes('"msg":"relayer started"'), `relayer ${r.child.pid} not started yet`);
      }
    },
    { timeoutMs: 120_000, intervalMs: 200, what: 'relayer processes started' },
  );
}

/** Every relayer process of the bridge still runs (else its log's tail says why). */
export function assertRunning(bridge: Bridge): void {
  for (const r of bridge.relayers) assert.equal(r.child.exitCode, null, `relayer ${r.child.pid} died: ${readFileSync(r.logFile, 'utf8').slice(-3000)}`);
}

/** The last 15 lines of each log file, for a failure message. */
export function tail(logFiles: readonly string[]): string {
  return logFiles.map((f) => `--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-15).join('\n')}`).join('\n');
}
