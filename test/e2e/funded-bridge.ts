/**
 * A bridge whose main wallet is funded before any relayer runs, and whose relayers start at the
 * chains' tips (`chains.*.startHeight`, an operator's setting for a deployment on a chain with
 * history): a watcher working through the 100-odd funding blocks on a loaded machine would only
 * slow a test down.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { parse, stringify } from 'yaml';
import { Bridge, type BridgeOptions } from './bridge-harness.js';
import { rpcOf } from './chain-reads.js';

/**
 * Mines `coinbases` mature coins into the main wallet, then sets the relayer config's
 * `chains.*.startHeight` to each chain's tip. Call it before the first relayer starts.
 */
export async function fundBeforeStart(bridge: Bridge, coinbases: number): Promise<void> {
  await bridge.fundMain(coinbases);
  const doc = parse(readFileSync(bridge.configPath, 'utf8')) as { chains: Record<'main' | 'side', { startHeight: number }> };
  for (const role of ['main', 'side'] as const) doc.chains[role].startHeight = await rpcOf(bridge, role).call<number>('getblockcount', []);
  writeFileSync(bridge.configPath, stringify(doc));
}

/** The bridge with `coinbases` mature coins in the main wallet and one relayer, started after them (see fundBeforeStart). */
export async function fundedBridge(t: TestContext, options: BridgeOptions, coinbases: number): Promise<Bridge> {
  const bridge = await Bridge.start(t, { ...options, relayers: 0 });
  await fundBeforeStart(bridge, coinbases);
  bridge.startRelayer();
  return bridge;
}
