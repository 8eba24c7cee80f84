/**
 * The one error base class of utxo-relay. Every error the project throws on purpose derives from
 * it and carries a stable `code` (never match on message text), an optional `cause`, and a pointer
 * into the operator docs (`docs/errors.md#<code>`).
 */
export abstract class UtxoRelayError<Code extends string = string> extends Error {
  readonly code: Code;
  /** Extra structured facts (which input item, which height...), safe to log and print as JSON. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...options.details });
  }

  /** The operator doc that explains this class's codes; subclasses of other domains override it. */
  static readonly docsFile: string = 'docs/errors.md';

  /** Where an operator reads what this code means and what to do about it. */
  get docsPath(): string {
    return `${(this.constructor as typeof UtxoRelayError).docsFile}#${this.code.toLowerCase().replaceAll('_', '-')}`;
  }

  toJSON(): { code: Code; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
