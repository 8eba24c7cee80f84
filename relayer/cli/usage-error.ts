/** A command was called wrongly (missing file, bad option value): exit code 2, message on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}
