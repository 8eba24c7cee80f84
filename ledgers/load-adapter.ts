/**
 * loadAdapter: turns the config's `{ module, options }` into a LedgerAdapter, refusing anything
 * that does not meet the contract before the relayer relies on it.
 *
 * An adapter module (a package or a file) exports
 *
 *     export function createAdapter(options: unknown, host?: AdapterHost): LedgerAdapter | Promise<LedgerAdapter>
 *
 * which checks its own `options` (throwing with the key's path and the fix) and returns an adapter
 * whose `contractVersion` is ADAPTER_CONTRACT_VERSION. `host` is what the program that loads the
 * adapter offers it (the relayer: a sink for block stream errors, to log them); an adapter may
 * ignore it, so a module written for `createAdapter(options)` still loads. `module` is
 * - a built-in name: `utxo-relay/bitcoind` (the `bitcoind` adapter of `ledgers/bitcoind/`, whose
 *   options are `createBitcoindAdapter`'s config);
 * - a path starting with `.` or `/`: resolved against the current working directory (or
 *   `from.baseDir`), e.g. `./adapters/my-chain/index.js`;
 * - anything else: a package name, resolved like an `import` from utxo-relay's own folder
 *   (install the adapter package next to utxo-relay).
 * Every refusal is an AdapterLoadError (see docs/ledger-errors.md#adapter-load-errors).
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ADAPTER_CONTRACT_VERSION, type LedgerAdapter } from './adapter.js';
import { LEDGER_ADAPTER_METHODS } from './adapter-members.js';
import { AdapterLoadError } from './errors.js';

export interface AdapterSpec {
  /** A built-in name (`utxo-relay/bitcoind`), a path (`./x/index.js`) or a package name. */
  readonly module: string;
  /** Given as is to the module's `createAdapter(options)`. */
  readonly options: unknown;
}

/**
 * What the program loading an adapter offers it, the second argument of `createAdapter`. Every
 * member is optional for the host to give and for the adapter to use; new members may be added
 * without a new contract version (docs/adapters.md).
 */
export interface AdapterHost {
  /**
   * Told of each failure that a block stream of the adapter recovers from by itself (the node does
   * not answer, the websocket dropped, a listener threw): the host logs it. The stream goes on
   * retrying; the listener of `subscribeBlocks` still never sees errors. Must not throw.
   */
  readonly onStreamError?: (error: unknown) => void;
}

export interface LoadAdapterOptions {
  /** Where relative module paths are resolved from. [Default: process.cwd()] */
  readonly baseDir?: string;
  /** Given to the module's `createAdapter(options, host)`. [Default: {}] */
  readonly host?: AdapterHost;
}

/** The signature an adapter module exports as `createAdapter` (`host` may be left out by the module). */
export type CreateAdapter = (options: unknown, host: AdapterHost) => LedgerAdapter | Promise<LedgerAdapter>;

export const BITCOIND_ADAPTER_MODULE = 'utxo-relay/bitcoind';

/** Built-in adapter names, each turned into a `createAdapter` of the module it names. */
const BUILTINS: Readonly<Record<string, () => Promise<CreateAdapter>>> = {
  [BITCOIND_ADAPTER_MODULE]: async () => {
    // A computed specifier: ledgers/bitcoind/ exports createBitcoindAdapter(config).
    const specifier = './bitcoind/index.js';
    const mod = (await import(specifier)) as Record<string, unknown>;
    const create = mod['createBitcoindAdapter'];
    if (typeof create !== 'function') {
      throw new AdapterLoadError('ADAPTER_BAD_EXPORT', `built-in ${BITCOIND_ADAPTER_MODULE}: ledgers/bitcoind/index.ts exports no createBitcoindAdapter function (found ${typeof create}); this is a bug in utxo-relay`, {
        details: { module: BITCOIND_ADAPTER_MODULE },
      });
    }
    const chainProfile = mod['chainProfile'];
    return (options: unknown, host: AdapterHost) => {
      if (typeof options !== 'object' || options === null) return (create as (config: unknown) => LedgerAdapter | Promise<LedgerAdapter>)(options);
      const given = options as { profile?: unknown; onStreamError?: unknown };
      const config: Record<string, unknown> = { ...options };
      // In a config file the profile is a name ("devnet-main", "bitcoin-mainnet"...): look it up.
      if (typeof given.profile === 'string' && typeof chainProfile === 'function') config['profile'] = (chainProfile as (name: string) => unknown)(given.profile);
      // The host's sink becomes the bitcoind config's onStreamError (after one given in code, if
      // any); a sink that throws must not break the stream.
      const sink = host.onStreamError;
      if (sink !== undefined) {
        const own = given.onStreamError;
        const safeSink = (e: unknown): void => {
          try {
            sink(e);
          } catch {
            // the host's problem: the stream goes on
          }
        };
        if (own === undefined) config['onStreamError'] = safeSink;
        else if (typeof own === 'function') {
          config['onStreamError'] = (e: unknown) => {
            (own as (e: unknown) => void)(e);
            safeSink(e);
          };
        } // anything else is refused by the bitcoind config check
      }
      return (create as (config: unknown) => LedgerAdapter | Promise<LedgerAdapter>)(config);
    };
  },
};

export const BUILTIN_ADAPTER_MODULES: readonly string[] = Object.keys(BUILTINS);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined (missing)';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'function' ? 'a function' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function isModuleNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || e.code === 'ERR_UNSUPPORTED_DIR_IMPORT');
}

async function importFactory(module: string, baseDir: string): Promise<CreateAdapter> {
  const builtin = BUILTINS[module];
  if (builtin !== undefined) {
    try {
      return await builtin();
    } catch (e) {
      if (e instanceof AdapterLoadError) throw e;
      throw new AdapterLoadError('ADAPTER_NOT_FOUND', `built-in adapter ${module} could not be loaded: ${e instanceof Error ? e.message : String(e)}; this installation of utxo-relay is incomplete (reinstall it)`, {
        cause: e,
        details: { module },
      });
    }
  }
  const isPath = module.startsWith('.') || isAbsolute(module);
  const specifier = isPath ? pathToFileURL(resolve(baseDir, module)).href : module;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (isModuleNotFound(e)) {
      const fix = isPath
        ? `check the path (relative paths are resolved from ${baseDir})`
        : `install the package next to utxo-relay (npm install ${module}) or give a path starting with "./"; built-in adapters: ${BUILTIN_ADAPTER_MODULES.join(', ')}`;
      throw new AdapterLoadError('ADAPTER_NOT_FOUND', `adapter module ${module} was not found (${reason}); ${fix}`, { cause: e, details: { module, specifier } });
    }
    throw new AdapterLoadError('ADAPTER_LOAD_FAILED', `adapter module ${module} failed while loading: ${reason}; fix the module (it throws at import time)`, {
      cause: e,
      details: { module, specifier },
    });
  }
  const create = mod['createAdapter'];
  if (typeof create !== 'function') {
    const exports = Object.keys(mod).join(', ') || 'none';
    throw new AdapterLoadError(
      'ADAPTER_BAD_EXPORT',
      `adapter module ${module} has no createAdapter function export (createAdapter is ${describe(create)}; exports: ${exports}); export \`function createAdapter(options): LedgerAdapter | Promise<LedgerAdapter>\` (docs/adapters.md)`,
      { details: { module, exports: Object.keys(mod) } },
    );
  }
  return create as CreateAdapter;
}

/**
 * Checks that `value` is an adapter of this contract version with every member; throws
 * ADAPTER_CONTRACT_MISMATCH or ADAPTER_INCOMPLETE naming what was found and what is expected.
 */
export function assertLedgerAdapter(value: unknown, module: string): asserts value is LedgerAdapter {
  if (typeof value !== 'object' || value === null) {
    throw new AdapterLoadError('ADAPTER_INCOMPLETE', `adapter module ${module}: createAdapter returned ${describe(value)}, expected a LedgerAdapter object; return the adapter (or a promise of it)`, {
      details: { module },
    });
  }
  const record = value as Record<string, unknown>;
  const version = record['contractVersion'];
  if (version !== ADAPTER_CONTRACT_VERSION) {
    throw new AdapterLoadError(
      'ADAPTER_CONTRACT_MISMATCH',
      `adapter module ${module} implements contract version ${typeof version === 'number' ? version : describe(version)}, this utxo-relay expects version ${ADAPTER_CONTRACT_VERSION}; use an adapter release built for contract version ${ADAPTER_CONTRACT_VERSION} (or a utxo-relay release matching the adapter)`,
      { details: { module, found: version === undefined ? null : version, expected: ADAPTER_CONTRACT_VERSION } },
    );
  }
  const problems: string[] = [];
  for (const method of LEDGER_ADAPTER_METHODS) {
    if (typeof record[method] !== 'function') problems.push(`${method} is ${describe(record[method])}, expected a function`);
  }
  const info = record['info'];
  if (typeof info !== 'object' || info === null) {
    problems.push(`info is ${describe(info)}, expected an object`);
  } else {
    const i = info as Record<string, unknown>;
    if (typeof i['chainId'] !== 'string' || i['chainId'] === '') problems.push(`info.chainId is ${describe(i['chainId'])}, expected a non-empty string`);
    if (i['family'] !== 'bitcoin') problems.push(`info.family is ${describe(i['family'])}, expected "bitcoin"`);
    if (typeof i['params'] !== 'object' || i['params'] === null) problems.push(`info.params is ${describe(i['params'])}, expected NetworkParams`);
    if (typeof i['addressHrp'] !== 'string') problems.push(`info.addressHrp is ${describe(i['addressHrp'])}, expected a string`);
    const caps = i['capabilities'];
    if (typeof caps !== 'object' || caps === null) {
      problems.push(`info.capabilities is ${describe(caps)}, expected an object`);
    } else {
      for (const flag of ['segwit', 'taproot', 'rbf', 'blockStream', 'pegInMints']) {
        const v = (caps as Record<string, unknown>)[flag];
        if (typeof v !== 'boolean') problems.push(`info.capabilities.${flag} is ${describe(v)}, expected a boolean`);
      }
    }
  }
  if (problems.length > 0) {
    throw new AdapterLoadError('ADAPTER_INCOMPLETE', `adapter module ${module} does not implement the whole contract: ${problems.join('; ')}; implement every member of LedgerAdapter (docs/adapters.md)`, {
      details: { module, problems },
    });
  }
}

/** Imports the module the spec names, creates its adapter and checks it against the contract. */
export async function loadAdapter(spec: AdapterSpec, from: LoadAdapterOptions = {}): Promise<LedgerAdapter> {
  if (typeof spec.module !== 'string' || spec.module === '') {
    throw new AdapterLoadError('ADAPTER_NOT_FOUND', `adapter module is ${describe(spec.module)}, expected a module name or path (e.g. "${BITCOIND_ADAPTER_MODULE}" or "./my-adapter/index.js")`, {
      details: { module: spec.module },
    });
  }
  const create = await importFactory(spec.module, from.baseDir ?? process.cwd());
  let adapter: unknown;
  try {
    adapter = await create(spec.options, from.host ?? {});
  } catch (e) {
    throw new AdapterLoadError('ADAPTER_CREATE_FAILED', `adapter module ${spec.module}: createAdapter(options) threw: ${e instanceof Error ? e.message : String(e)}; fix the adapter's options (see its documentation)`, {
      cause: e,
      details: { module: spec.module },
    });
  }
  assertLedgerAdapter(adapter, spec.module);
  return adapter;
}
