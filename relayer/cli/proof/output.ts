/** The proof commands' output contract: one JSON object on stdout; exit 0 valid, 1 invalid. */
import { ProofError } from '../../../proofs/errors.js';

export type SetExit = (code: number) => void;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * Prints `result` plus `"error": {code, message, index}` for a refused input and returns 1.
 * `index` names the offending input item: a number, or the name of a numeric detail of the error
 * (e.g. 'index' for a block's transaction, 'level' for a branch hash), 0 when it has none.
 * Anything that is not a ProofError is a bug or an I/O failure and is rethrown.
 */
export function printRefusal(result: Record<string, unknown>, error: unknown, index: number | string): number {
  if (!(error instanceof ProofError)) throw error;
  const detail = typeof index === 'string' ? error.details[index] : index;
  printJson({ ...result, error: { code: error.code, message: error.message, index: typeof detail === 'number' ? detail : 0 } });
  return 1;
}
