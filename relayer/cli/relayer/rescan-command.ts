/**
 * `utxo-relay rescan --config FILE`: rebuilds the transfer records from both chains
 * (relayer/rescan/rescan.ts), then queues what is pending for the running relayer processes.
 * Prints a JSON report. Safe to run while relayers run: it never moves an existing record.
 */
import { loadConfig } from '../../../config/index.js';
import { UtxoRelayError } from '../../../proofs/base-error.js';
import { createLogger } from '../../log.js';
import { rescan } from '../../rescan/rescan.js';
import { startRelayer } from '../../service.js';

export async function rescanCommand(options: { config: string }): Promise<number> {
  let relayer;
  try {
    const config = loadConfig(options.config);
    relayer = await startRelayer(config, { watch: false, work: false, logger: createLogger('warn', { deployment: config.deployment, command: 'rescan' }, process.stderr) });
  } catch (e) {
    if (e instanceof UtxoRelayError) {
      process.stderr.write(`utxo-relay: ${e.code}: ${e.message}\n(see ${e.docsPath})\n`);
      return 1;
    }
    throw e;
  }
  try {
    const report = await rescan(relayer.ctx, (role, height, tip) => process.stderr.write(`rescan: ${role} ${height}/${tip}\n`));
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } finally {
    await relayer.stop();
  }
}
