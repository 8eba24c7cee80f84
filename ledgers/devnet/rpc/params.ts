/**
 * Method parameters as Bitcoin Core handles them (src/rpc/server.cpp transformNamedArguments,
 * src/rpc/util.cpp RPCHelpMan::HandleRequest): named parameters (`params` an object) are mapped to
 * positions by name, with an `args` array for leading positional ones; then the count is checked
 * (RPC_MISC_ERROR with the usage line, as Core answers with its help text) and each value's JSON
 * type (RPC_TYPE_ERROR). `null` stands for "not given" in any position.
 */
import { rpcError } from './errors.js';

export type ParamType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'amount' | 'number|boolean' | 'string|object' | 'any';

export interface ParamSpec {
  /** Core's name (e.g. "blockhash"); `alias` another accepted name (e.g. "verbose" for "verbosity"). */
  readonly name: string;
  readonly alias?: string;
  readonly type: ParamType;
  /** Required parameters come first; a null in their place is refused by the method itself. */
  readonly required?: boolean;
}

/** What `JSON.parse` gives for one parameter. */
export type ParamValue = null | boolean | number | string | ParamValue[] | { [key: string]: ParamValue };

/**
 * Positional parameters from a request's `params` (an array, an object or absent), checked
 * against `specs`. Throws RpcError: RPC_INVALID_PARAMETER for an unknown named parameter or a
 * parameter given both by position and by name; RPC_MISC_ERROR (with the usage line) for a wrong
 * count; RPC_TYPE_ERROR for a value of the wrong JSON type.
 */
export function positionalParams(method: string, specs: readonly ParamSpec[], params: ParamValue[] | { [key: string]: ParamValue }): ParamValue[] {
  const positional = Array.isArray(params) ? params : fromNamed(specs, params);
  let required = 0;
  specs.forEach((spec, i) => {
    if (spec.required) required = i + 1;
  });
  if (positional.length < required || positional.length > specs.length) {
    throw rpcError('RPC_MISC_ERROR', usage(method, specs));
  }
  const mismatches: string[] = [];
  positional.forEach((value, i) => {
    const spec = specs[i]!;
    if (value !== null && !matches(spec.type, value)) {
      mismatches.push(`    "Position ${i + 1} (${spec.name})": "JSON value of type ${jsonType(value)} is not of expected type ${spec.type}"`);
    }
  });
  if (mismatches.length > 0) throw rpcError('RPC_TYPE_ERROR', `Wrong type passed:\n{\n${mismatches.join(',\n')}\n}`);
  return positional;
}

/** The one-line usage of a method, as the first line of Core's help: `getblock "blockhash" ( verbosity )`. */
export function usage(method: string, specs: readonly ParamSpec[]): string {
  const parts = specs.map((s) => {
    const shown = s.type === 'string' ? `"${s.name}"` : s.name;
    return s.required ? shown : `( ${shown} )`;
  });
  return [method, ...parts].join(' ');
}

function fromNamed(specs: readonly ParamSpec[], named: { [key: string]: ParamValue }): ParamValue[] {
  const argsIn = new Map(Object.entries(named));
  const out: ParamValue[] = [];
  let hole = 0;
  let initialHole = 0;
  let initialParam: string | undefined;
  for (const spec of specs) {
    const key = argsIn.has(spec.name) ? spec.name : spec.alias !== undefined && argsIn.has(spec.alias) ? spec.alias : undefined;
    if (key !== undefined) {
      for (; hole > 0; hole--) out.push(null);
      initialParam ??= spec.name;
      out.push(argsIn.get(key)!);
      argsIn.delete(key);
    } else {
      hole += 1;
      if (out.length === 0) initialHole = hole;
    }
  }
  const args = argsIn.get('args');
  argsIn.delete('args');
  let result = out;
  if (Array.isArray(args)) {
    if (initialParam !== undefined && initialHole < args.length) {
      throw rpcError('RPC_INVALID_PARAMETER', `Parameter ${initialParam} specified twice both as positional and named argument.`);
    }
    result = [...args, ...out.slice(args.length)];
  } else if (args !== undefined) {
    argsIn.set('args', args);
  }
  const unknown = argsIn.keys().next();
  if (unknown.done !== true) throw rpcError('RPC_INVALID_PARAMETER', `Unknown named parameter ${unknown.value}`);
  return result;
}

function matches(type: ParamType, value: ParamValue): boolean {
  const t = jsonType(value);
  switch (type) {
    case 'any':
      return true;
    case 'amount':
      return t === 'number' || t === 'string';
    case 'number|boolean':
      return t === 'number' || t === 'boolean';
    case 'string|object':
      return t === 'string' || t === 'object';
    default:
      return t === type;
  }
}

function jsonType(value: ParamValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
