/**
 * Structured logs: JSON lines (pino), one event a line; every line about a transfer carries its
 * `transferId` (the steps log through a child logger bound to it).
 */
import { pino, type Logger } from 'pino';

export function createLogger(level: string, bindings: Record<string, unknown> = {}, destination?: NodeJS.WritableStream): Logger {
  const options = { level, base: { service: 'utxo-relay', ...bindings }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination === undefined ? pino(options) : pino(options, destination as never);
}
