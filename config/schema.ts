/**
 * The relayer's YAML config: its zod schema, the typed result, and the text that turns a zod issue
 * into an operator's message naming the key and the fix (docs/config.md explains every key).
 *
 * Every key is declared with `key(path, expect, fix, schema)`: `expect` says what a good value
 * looks like ("an integer 1..1000"), `fix` what to do about a bad one. `formatIssue` builds
 * `<path>: expected <expect>, got <value> (<fix>)` from them, so a message never depends on zod's
 * own wording. Objects are strict: an unknown key (a typo) is refused, naming the key.
 *
 * The schema checks shapes and ranges; the loader (load-config.ts) resolves paths, reads the
 * federation file and the signing key, and checks that the key belongs to the federation.
 */
import { z } from 'zod';
import type { Federation } from '../ledgers/bitcoin/lock-script.js';
import { BITCOIND_ADAPTER_MODULE } from '../ledgers/load-adapter.js';
import { hexToBytes } from '../proofs/bytes.js';

// ---------------------------------------------------------------------------------------------
// The result

export type ChainRole = 'main' | 'side';
export const CHAIN_ROLES: readonly ChainRole[] = ['main', 'side'];

export const WORKER_KINDS = ['confirm', 'verify', 'sign', 'broadcast', 'settle'] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ChainConfig {
  /** A built-in adapter name, a package name, or an absolute path (relative ones are resolved). */
  readonly adapter: string;
  /** Given as is to the adapter's `createAdapter` (every `cookieFile` string made absolute). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly confirmations: number;
  readonly startHeight: number;
  /** The light client's trusted checkpoint; absent: the network's genesis. */
  readonly anchor?: { readonly height: number; readonly header: Uint8Array };
  readonly pollIntervalMs: number;
}

export interface DirectionLimits {
  readonly maxPerTransfer?: bigint;
  readonly dailyCap?: bigint;
}

export interface SigningConfig {
  /** The operator's 32-byte secp256k1 private key. Not enumerable: JSON, inspect and spreads skip it. */
  readonly privateKey: Uint8Array;
  /** Its 33-byte compressed public key, one of `federation.federation.publicKeys`. */
  readonly publicKey: Uint8Array;
  /** The position of `publicKey` in the federation's sorted keys. */
  readonly keyIndex: number;
  /** Where the key came from: the absolute path of signing.keyFile, or the name in signing.keyEnv. */
  readonly keyFile?: string;
  readonly keyEnv?: string;
}

export interface RelayerConfig {
  /** Absolute path of the config file (or the label given to parseConfig). */
  readonly file: string;
  readonly deployment: string;
  readonly redis: { readonly url: string; readonly prefix: string };
  readonly chains: { readonly main: ChainConfig; readonly side: ChainConfig };
  readonly federation: { readonly file: string; readonly federation: Federation };
  readonly signing: SigningConfig;
  readonly fees: { readonly mint: bigint; readonly releaseTargetBlocks: number };
  readonly limits: { readonly dust: bigint; readonly pegin: DirectionLimits; readonly pegout: DirectionLimits };
  readonly rbf: { readonly afterBlocks: number; readonly factor: number; readonly maxFeeRate: number };
  readonly workers: {
    readonly concurrency: Readonly<Record<WorkerKind, number>>;
    readonly attempts: number;
    readonly backoff: { readonly delayMs: number; readonly maxDelayMs: number };
    readonly keepCompletedSeconds: number;
    readonly shutdownTimeoutMs: number;
  };
  readonly http?: { readonly port: number; readonly host: string };
  readonly log: { readonly level: LogLevel; readonly repeatEveryMs: number };
}

// ---------------------------------------------------------------------------------------------
// Defaults

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_REDIS_PREFIX = '{utxo-relay}';
export const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const DEFAULT_WORKER_CONCURRENCY: Readonly<Record<WorkerKind, number>> = Object.freeze({ confirm: 16, verify: 4, sign: 2, broadcast: 4, settle: 8 });
export const DEFAULTS = Object.freeze({
  adapter: BITCOIND_ADAPTER_MODULE,
  confirmations: 6,
  startHeight: 0,
  chainPollIntervalMs: 5000,
  feeMint: 1000n,
  releaseTargetBlocks: 2,
  dust: 546n,
  rbfAfterBlocks: 3,
  rbfFactor: 1.5,
  rbfMaxFeeRate: 1000,
  attempts: 12,
  backoffDelayMs: 1000,
  backoffMaxDelayMs: 60_000,
  keepCompletedSeconds: 86_400,
  shutdownTimeoutMs: 15_000,
  httpHost: '127.0.0.1',
  logLevel: 'info' as LogLevel,
  logRepeatEveryMs: 60_000,
});

// ---------------------------------------------------------------------------------------------
// Key documentation: what each path expects and how to fix it

interface KeyDoc {
  readonly expect: string;
  readonly fix: string;
}
const keyDocs = new Map<string, KeyDoc>();
const objectKeys = new Map<string, readonly string[]>();

function key<T extends z.ZodType>(path: string, expect: string, fix: string, schema: T): T {
  keyDocs.set(path, { expect, fix });
  return schema;
}

function mapping<S extends z.core.$ZodLooseShape>(path: string, expect: string, fix: string, shape: S) {
  objectKeys.set(path, Object.keys(shape));
  return key(path, expect, fix, z.strictObject(shape));
}

/** Every documented key path (chains.main.*, chains.side.* spelled out), for docs checks. */
export function configKeyPaths(): string[] {
  return [...keyDocs.keys()].filter((p) => p !== '');
}

// ---------------------------------------------------------------------------------------------
// Building blocks

const int = (min: number, max: number) => z.int().min(min).max(max);
const range = (min: number, max: number) => (max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer ${min}..${max}`);

/** A custom issue carrying the whole problem text (and optionally its own fix). */
function problem(ctx: { issues: z.core.$ZodRawIssue[] }, input: unknown, text: string, path?: (string | number)[], fix?: string): void {
  ctx.issues.push({ code: 'custom', message: text, input, ...(path === undefined ? {} : { path }), params: { problem: text, ...(fix === undefined ? {} : { fix }) } });
}

/**
 * An amount in base units: an integer number (a safe one: YAML numbers are doubles) or a string of
 * decimal digits, at least `min`. The result is a bigint.
 */
function amount(min: bigint) {
  return z.unknown().transform((value, ctx): bigint => {
    let result: bigint | undefined;
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (!Number.isSafeInteger(value)) {
        problem(ctx, value, `${String(value)} is too large to be read exactly as a YAML number; write it as a quoted string of digits, e.g. "${BigInt(Math.trunc(value)).toString()}"`);
        return z.NEVER;
      }
      result = BigInt(value);
    } else if (typeof value === 'string' && /^[0-9]{1,30}$/.test(value)) {
      result = BigInt(value);
    }
    if (result === undefined || result < min) {
      ctx.issues.push({ code: 'custom', message: 'bad amount', input: value });
      return z.NEVER;
    }
    return result;
  });
}
const amountText = (min: bigint) => `a whole number of base units >= ${min} (a number, or a string of decimal digits)`;

// ---------------------------------------------------------------------------------------------
// The schema

function chainSchema(role: ChainRole) {
  const p = `chains.${role}`;
  const event = role === 'main' ? 'a lock' : 'a burn';
  const next = role === 'main' ? 'it is minted on the side chain' : 'it is released on the main chain';
  return mapping(
    p,
    `a mapping of the ${role} chain: adapter, options, confirmations, startHeight, anchor, pollIntervalMs`,
    `describe the ${role} chain (${role === 'main' ? 'where locks and releases happen' : 'where mints and burns happen'}); see docs/config.md`,
    {
      adapter: key(
        `${p}.adapter`,
        `a module name or path, e.g. "${BITCOIND_ADAPTER_MODULE}" or "./adapters/my-chain/index.js"`,
        `name the module that exports createAdapter, or leave the key out for ${BITCOIND_ADAPTER_MODULE}`,
        z.string().min(1).default(DEFAULTS.adapter),
      ),
      options: key(
        `${p}.options`,
        "a mapping (the adapter's options)",
        `give the options the adapter's createAdapter takes; for ${BITCOIND_ADAPTER_MODULE}: profile, endpoints, feeRate... (docs/bitcoind-adapter.md)`,
        z.record(z.string(), z.unknown()),
      ),
      confirmations: key(
        `${p}.confirmations`,
        range(1, 1000),
        `set it to the number of blocks ${event} needs before ${next}`,
        int(1, 1000).default(DEFAULTS.confirmations),
      ),
      startHeight: key(
        `${p}.startHeight`,
        range(0, Number.MAX_SAFE_INTEGER),
        `set it to the block height where the ${role} chain's watcher starts when it has no cursor yet`,
        int(0, Number.MAX_SAFE_INTEGER).default(DEFAULTS.startHeight),
      ),
      anchor: mapping(
        `${p}.anchor`,
        'a mapping { height, header }',
        `give a trusted checkpoint of the ${role} chain (height and the 80-byte header at it), or leave the key out to start the light client at the network's genesis`,
        {
          height: key(`${p}.anchor.height`, range(0, Number.MAX_SAFE_INTEGER), 'set it to the height of the anchor header', int(0, Number.MAX_SAFE_INTEGER)),
          header: key(
            `${p}.anchor.header`,
            'the 80-byte block header at anchor.height as 160 hex digits',
            "copy the raw header (getblockheader <hash> false) of the block at anchor.height, quoted",
            z.string().regex(/^[0-9a-fA-F]{160}$/).transform((hex) => hexToBytes(hex, `${p}.anchor.header`)),
          ),
        },
      ).optional(),
      pollIntervalMs: key(
        `${p}.pollIntervalMs`,
        range(10, 3_600_000),
        `set how many milliseconds a waiting job waits before it checks the ${role} chain again`,
        int(10, 3_600_000).default(DEFAULTS.chainPollIntervalMs),
      ),
    },
  );
}

function directionSchema(direction: 'pegin' | 'pegout') {
  const p = `limits.${direction}`;
  const what = direction === 'pegin' ? 'peg-in (lock -> mint)' : 'peg-out (burn -> release)';
  return mapping(p, 'a mapping { maxPerTransfer, dailyCap }', `set the ${what} limits, or leave the key out for no limit`, {
    maxPerTransfer: key(`${p}.maxPerTransfer`, amountText(1n), `set the largest ${what} transfer, in base units, or leave the key out for no limit`, amount(1n).optional()),
    dailyCap: key(`${p}.dailyCap`, amountText(1n), `set the most ${what} value per day, in base units, or leave the key out for no limit`, amount(1n).optional()),
  })
    .superRefine((limits, ctx) => {
      if (limits.maxPerTransfer !== undefined && limits.dailyCap !== undefined && limits.maxPerTransfer > limits.dailyCap) {
        problem(ctx, limits.maxPerTransfer, `${limits.maxPerTransfer} is above dailyCap ${limits.dailyCap}`, ['maxPerTransfer'], 'make maxPerTransfer at most dailyCap');
      }
    })
    .prefault({});
}

const concurrencyShape = Object.fromEntries(
  WORKER_KINDS.map((kind) => [
    kind,
    key(`workers.concurrency.${kind}`, range(1, 256), `set how many ${kind} jobs run at once in this process`, int(1, 256).default(DEFAULT_WORKER_CONCURRENCY[kind])),
  ]),
) as Record<WorkerKind, z.ZodDefault<z.ZodInt>>;

const redisUrl = z.string().refine((url) => {
  try {
    const u = new URL(url);
    return u.protocol === 'redis:' || u.protocol === 'rediss:';
  } catch {
    return false;
  }
});

export const configSchema = mapping(
  '',
  'a YAML mapping with at least deployment, chains, federation and signing',
  'start from config/example.yaml or config/devnet.yaml',
  {
    deployment: key(
      'deployment',
      'a name of 1..40 characters: lowercase letters, digits and "-", not starting with "-"',
      'name this deployment, e.g. "mainnet-op1"; it is part of every Redis key, so keep it stable',
      z.string().regex(DEPLOYMENT_NAME),
    ),
    redis: mapping('redis', 'a mapping { url, prefix }', 'set the Redis connection, or leave the key out for the defaults', {
      url: key(
        'redis.url',
        'a redis:// or rediss:// URL',
        'set the URL of this deployment\'s Redis, e.g. "redis://127.0.0.1:6379", or leave the key out to use $REDIS_URL',
        redisUrl.optional(),
      ),
      prefix: key(
        'redis.prefix',
        'a string of 1..64 characters without spaces',
        `set the BullMQ key prefix, or leave the key out for "${DEFAULT_REDIS_PREFIX}" (keep the braces on Redis Cluster)`,
        z.string().regex(/^\S{1,64}$/).default(DEFAULT_REDIS_PREFIX),
      ),
    }).prefault({}),
    chains: mapping('chains', 'a mapping { main, side }', 'describe both chains: main (locks, releases) and side (mints, burns)', {
      main: chainSchema('main'),
      side: chainSchema('side'),
    }),
    federation: mapping('federation', 'a mapping { file }', "point federation.file at the deployment's federation file", {
      file: key(
        'federation.file',
        'the path of the federation file (JSON; relative paths are read from the config file\'s folder)',
        'set it to the federation file every operator of this deployment shares, e.g. "federation.json"',
        z.string().min(1),
      ),
    }),
    signing: mapping('signing', 'a mapping with exactly one of keyFile or keyEnv', "say where this operator's private key is: keyFile or keyEnv", {
      keyFile: key(
        'signing.keyFile',
        "a path of a file holding the operator's private key as 64 hex digits",
        'set the path of the key file (relative paths are read from the config file\'s folder)',
        z.string().min(1).optional(),
      ),
      keyEnv: key(
        'signing.keyEnv',
        'the name of an environment variable (letters, digits and "_", not starting with a digit)',
        "set the name of the environment variable that holds the operator's private key as 64 hex digits",
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
      ),
    }).superRefine((signing, ctx) => {
      if (signing.keyFile !== undefined && signing.keyEnv !== undefined) {
        problem(ctx, undefined, 'both keyFile and keyEnv are set', [], 'keep exactly one of them');
      } else if (signing.keyFile === undefined && signing.keyEnv === undefined) {
        problem(ctx, undefined, 'neither keyFile nor keyEnv is set', [], "set keyFile (a file holding the operator's private key as 64 hex digits) or keyEnv (the name of an environment variable holding it)");
      }
    }),
    fees: mapping('fees', 'a mapping { mint, releaseTargetBlocks }', 'set the fees, or leave the key out for the defaults', {
      mint: key(
        'fees.mint',
        amountText(0n),
        "set the base units kept from each peg-in to pay the side chain's miner (mint amount = lock amount - fees.mint)",
        amount(0n).default(DEFAULTS.feeMint),
      ),
      releaseTargetBlocks: key(
        'fees.releaseTargetBlocks',
        range(1, 1008),
        'set the confirmation target (in blocks) used to estimate the fee rate of releases',
        int(1, 1008).default(DEFAULTS.releaseTargetBlocks),
      ),
    }).prefault({}),
    limits: mapping('limits', 'a mapping { dust, pegin, pegout }', 'set the limits, or leave the key out for the defaults (no transfer limits)', {
      dust: key('limits.dust', amountText(0n), 'set the amount (base units) at or below which an output is refused as dust', amount(0n).default(DEFAULTS.dust)),
      pegin: directionSchema('pegin'),
      pegout: directionSchema('pegout'),
    }).prefault({}),
    rbf: mapping('rbf', 'a mapping { afterBlocks, factor, maxFeeRate }', 'set the fee-bump policy of releases, or leave the key out for the defaults', {
      afterBlocks: key(
        'rbf.afterBlocks',
        range(1, 1000),
        'set how many main-chain blocks a release may stay unconfirmed before its fee is bumped',
        int(1, 1000).default(DEFAULTS.rbfAfterBlocks),
      ),
      factor: key('rbf.factor', 'a number > 1 and <= 10', 'set the multiplier of the fee rate at each bump, e.g. 1.5', z.number().gt(1).max(10).default(DEFAULTS.rbfFactor)),
      maxFeeRate: key(
        'rbf.maxFeeRate',
        'a number > 0 (base units per vbyte)',
        'set the highest fee rate a bump may reach, in base units per vbyte',
        z.number().positive().default(DEFAULTS.rbfMaxFeeRate),
      ),
    }).prefault({}),
    workers: mapping('workers', 'a mapping { concurrency, attempts, backoff, keepCompletedSeconds, shutdownTimeoutMs }', 'set the job workers, or leave the key out for the defaults', {
      concurrency: mapping(
        'workers.concurrency',
        `a mapping { ${WORKER_KINDS.join(', ')} }`,
        'set the number of concurrent jobs per queue, or leave the key out for the defaults',
        concurrencyShape,
      ).prefault({}),
      attempts: key('workers.attempts', range(1, 1000), 'set how many times a job is tried before it lands in the failed set', int(1, 1000).default(DEFAULTS.attempts)),
      backoff: mapping('workers.backoff', 'a mapping { delayMs, maxDelayMs }', 'set the retry backoff, or leave the key out for the defaults', {
        delayMs: key('workers.backoff.delayMs', range(1, 3_600_000), 'set the first retry delay in milliseconds (it doubles at each retry, with jitter)', int(1, 3_600_000).default(DEFAULTS.backoffDelayMs)),
        maxDelayMs: key('workers.backoff.maxDelayMs', range(1, 86_400_000), 'set the longest retry delay in milliseconds', int(1, 86_400_000).default(DEFAULTS.backoffMaxDelayMs)),
      })
        .superRefine((b, ctx) => {
          if (b.maxDelayMs < b.delayMs) problem(ctx, b.maxDelayMs, `${b.maxDelayMs} is below delayMs ${b.delayMs}`, ['maxDelayMs'], 'make maxDelayMs at least delayMs');
        })
        .prefault({}),
      keepCompletedSeconds: key(
        'workers.keepCompletedSeconds',
        range(1, 31_536_000),
        'set how many seconds completed jobs are kept (the window in which a duplicate job is recognised)',
        int(1, 31_536_000).default(DEFAULTS.keepCompletedSeconds),
      ),
      shutdownTimeoutMs: key(
        'workers.shutdownTimeoutMs',
        range(0, 3_600_000),
        'set how many milliseconds running jobs get to finish at shutdown',
        int(0, 3_600_000).default(DEFAULTS.shutdownTimeoutMs),
      ),
    }).prefault({}),
    http: mapping('http', 'a mapping { port, host }', 'set the HTTP listener, or leave the key out to disable it', {
      port: key('http.port', `${range(0, 65535)} (0: any free port)`, 'set the TCP port of the HTTP server', int(0, 65535)),
      host: key('http.host', 'a host name or IP address', 'set the interface to listen on, e.g. "127.0.0.1"', z.string().min(1).default(DEFAULTS.httpHost)),
    }).optional(),
    log: mapping('log', 'a mapping { level, repeatEveryMs }', 'set the log level, or leave the key out for "info"', {
      level: key('log.level', `one of ${LOG_LEVELS.join(', ')}`, 'set the least severe level that is logged', z.enum(LOG_LEVELS).default(DEFAULTS.logLevel)),
      repeatEveryMs: key(
        'log.repeatEveryMs',
        range(1, 3_600_000),
        'set how many milliseconds pass before an error that keeps recurring (Redis away, a node refusing) is logged again',
        int(1, 3_600_000).default(DEFAULTS.logRepeatEveryMs),
      ),
    }).prefault({}),
  },
);

/** What the schema returns: shapes and ranges checked, files not yet read. */
export type ParsedConfig = z.output<typeof configSchema>;

// ---------------------------------------------------------------------------------------------
// Messages

/** `a.b[0].c`; keys that are not plain words are quoted: `options["x.y"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

const SECRET_HEX = /[0-9a-fA-F]{64}/;

/** A config value as an operator reads it in a message; never a secret, never a whole mapping. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    if (SECRET_HEX.test(value) && value.length < 100) return `a string of ${value.length} characters (not shown: it may be a key)`;
    let shown = value;
    try {
      const url = new URL(value);
      if (url.password !== '') {
        url.password = '***';
        shown = url.href;
      }
    } catch {
      // not a URL
    }
    return shown.length > 60 ? `${JSON.stringify(shown.slice(0, 24))}... (${shown.length} characters)` : JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The allowed key an unknown one most likely meant, if any is close. */
export function closestKey(unknown: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === unknown.toLowerCase() ? 0 : editDistance(unknown.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(unknown.length / 4)) ? best : undefined;
}

export interface ConfigProblem {
  /** The key path, dotted, with array indexes ('' for the whole document). */
  readonly path: string;
  /** The same path as segments (for finding its line in the YAML). */
  readonly segments: readonly PropertyKey[];
  /** `<path>: <what is wrong> (<the fix>)`, without the file name. */
  readonly text: string;
}

/** Turns one zod issue into one or more problems (an unknown-keys issue names each key). */
export function formatIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const segments = issue.path;
  const path = formatPath(segments);
  const label = path === '' ? '(top level)' : path;
  if (issue.code === 'unrecognized_keys') {
    const allowed = objectKeys.get(path) ?? [];
    return issue.keys.map((k) => {
      const keyPath = formatPath([...segments, k]);
      const guess = closestKey(k, allowed);
      const where = path === '' ? 'the top level' : path;
      const hint = guess === undefined ? '' : `; did you mean "${guess}"?`;
      return {
        path: keyPath,
        segments: [...segments, k],
        text: `${keyPath}: unknown key${hint} (the keys of ${where} are ${allowed.join(', ')}; fix its spelling or remove it)`,
      };
    });
  }
  const doc = keyDocs.get(path);
  const params = issue.code === 'custom' ? (issue.params as { problem?: string; fix?: string } | undefined) : undefined;
  if (params?.problem !== undefined) {
    const fix = params.fix ?? doc?.fix;
    return [{ path, segments, text: `${label}: ${params.problem}${fix === undefined ? '' : ` (${fix})`}` }];
  }
  if (doc === undefined) return [{ path, segments, text: `${label}: ${issue.message}` }];
  const missing = issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'custom');
  if (missing) return [{ path, segments, text: `${label}: missing, expected ${doc.expect} (${doc.fix})` }];
  return [{ path, segments, text: `${label}: expected ${doc.expect}, got ${describeValue(issue.input)} (${doc.fix})` }];
}
