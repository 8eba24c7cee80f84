/**
 * The JSON values RPC results are built from, and their serializer. Results are trees of plain
 * values plus `JsonNumberText`: a number whose decimal text is written as given (amounts such as
 * `50.00000000`, exact from bigint base units, never through floating point). `undefined` object
 * fields are left out, as Core leaves out an absent optional field.
 */

/** A JSON number written verbatim; build one with `amountJson` (amount.ts) or `numberText`. */
export class JsonNumberText {
  constructor(readonly text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?(e[+-]\d+)?$/.test(text)) throw new RangeError(`JSON number text: not a JSON number: ${JSON.stringify(text)}`);
  }
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | bigint
  | JsonNumberText
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/** A decimal integer (e.g. a bigint) as a JSON number, exactly. */
export function numberText(value: bigint | number): JsonNumberText {
  return new JsonNumberText(typeof value === 'bigint' ? value.toString() : String(value));
}

/**
 * A double as Core's UniValue writes it (`setprecision(16)`, i.e. printf's `%.16g`): 16
 * significant digits, trailing zeros dropped, scientific below 1e-4 or from 1e16 on
 * (`4.656542373906925e-10` for regtest's difficulty, where JavaScript would print 17 digits).
 */
export function doubleText(value: number): JsonNumberText {
  if (!Number.isFinite(value)) throw new RangeError(`JSON: cannot encode the number ${value}`);
  if (value === 0) return new JsonNumberText('0');
  const [mantissa, exp] = value.toExponential(15).split('e') as [string, string];
  const exponent = Number(exp);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exponent >= -4 && exponent < 16) return new JsonNumberText(trim(value.toFixed(15 - exponent)));
  const sign = exponent < 0 ? '-' : '+';
  return new JsonNumberText(`${trim(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`);
}

/**
 * Serializes a result tree. Numbers must be finite; a bigint is written as an integer literal.
 * Output is compact (no spaces), one line.
 */
export function encodeJson(value: JsonValue): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

function write(value: JsonValue | undefined, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out.push(JSON.stringify(value));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`JSON: cannot encode the number ${value}`);
    out.push(JSON.stringify(value));
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (value instanceof JsonNumberText) {
    out.push(value.text);
  } else if (Array.isArray(value)) {
    out.push('[');
    (value as readonly JsonValue[]).forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, out);
    });
    out.push(']');
  } else {
    out.push('{');
    let first = true;
    for (const [key, item] of Object.entries(value as { readonly [key: string]: JsonValue | undefined })) {
      if (item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(JSON.stringify(key), ':');
      write(item, out);
    }
    out.push('}');
  }
}
