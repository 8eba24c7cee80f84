/**
 * `utxo-relay start --config FILE`: runs the relayer of this process (watchers and sweeper under
 * leases, worker pools) until SIGTERM or SIGINT, which stop it gracefully: the leases are released,
 * the workers finish or release their jobs (at most `workers.shutdownTimeoutMs`), connections
 * close. Logs are JSON lines on stdout.
 */
import { loadConfig } from '../../../config/index.js';
import { UtxoRelayError } from '../../../proofs/base-error.js';
import { startRelayer } from '../../service.js';

export interface StartCliOptions {
  config: string;
  watch: boolean;
  work: boolean;
}

/** Resolves with the exit code once the relayer stopped. */
export async function startCommand(options: StartCliOptions): Promise<number> {
  let relayer;
  try {
    relayer = await startRelayer(loadConfig(options.config), { watch: options.watch, work: options.work });
  } catch (e) {
    if (e instanceof UtxoRelayError) {
      process.stderr.write(`utxo-relay: ${e.code}: ${e.message}\n(see ${e.docsPath})\n`);
      return 1;
    }
    throw e;
  }
  const r = relayer;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void r.stop().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  // everything is closed; a handle some library left open must not keep a stopped relayer alive
  setTimeout(() => process.exit(0), 2_000).unref();
  return 0;
}
