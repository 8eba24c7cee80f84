import { Option } from 'commander';
import { BITCOIN_NETWORKS, bitcoinNetwork, type NetworkParams } from '../../../proofs/bitcoin/params.js';
import { UsageError } from '../usage-error.js';

export function networkOption(): Option {
  return new Option('--network <net>', 'Bitcoin network').choices([...BITCOIN_NETWORKS, 'main', 'test', 'testnet']).makeOptionMandatory();
}

export function resolveNetwork(name: string): NetworkParams {
  try {
    return bitcoinNetwork(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Parses a non-negative integer option or throws a UsageError naming it. */
export function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`${name}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}
