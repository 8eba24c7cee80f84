/**
 * loadConfig: reads the relayer's YAML config (docs/config.md), validates it against
 * config/schema.ts, resolves its relative paths against the config file's folder, reads the
 * federation file and the operator's key, and returns a frozen RelayerConfig.
 *
 * Every refusal is a RelayerError CONFIG_INVALID whose message is
 * `<file>: <key path>: <what is wrong> (<the fix>)`, one line per problem, and whose details are
 * `{ path, file, line?, problems }` (`path` of the first problem; `line` where the YAML has one).
 * The private key never appears in a message, in JSON.stringify(config) or in util.inspect
 * (it is not enumerable); log `redactConfig(config)`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { federationToJson, loadFederationFile } from '../ledgers/bitcoin/federation-file.js';
import { federationKeyIndex, type Federation } from '../ledgers/bitcoin/lock-script.js';
import { isValidPrivateKey, publicKeyCompressed } from '../ledgers/bitcoin/signatures.js';
import { bytesToHex, hexToBytes } from '../proofs/bytes.js';
import { RelayerError } from '../relayer/errors.js';
import {
  DEFAULT_REDIS_URL,
  configSchema,
  describeValue,
  formatIssue,
  type ChainConfig,
  type ChainRole,
  type ConfigProblem,
  type DirectionLimits,
  type ParsedConfig,
  type RelayerConfig,
  type SigningConfig,
} from './schema.js';

/** Where one problem is: the key path, and the YAML line when known. */
interface Located {
  readonly path: string;
  readonly text: string;
  readonly line?: number;
  readonly column?: number;
}

function configError(file: string, problems: readonly Located[], cause?: unknown): RelayerError {
  const first = problems[0]!;
  const message = problems.map((p) => `${file}: ${p.text}`).join('\n');
  return new RelayerError('CONFIG_INVALID', message, {
    ...(cause === undefined ? {} : { cause }),
    details: {
      path: first.path,
      file,
      ...(first.line === undefined ? {} : { line: first.line }),
      ...(first.column === undefined ? {} : { column: first.column }),
      problems: problems.map((p) => ({ path: p.path, message: `${file}: ${p.text}`, ...(p.line === undefined ? {} : { line: p.line }) })),
    },
  });
}

/** The line of the deepest node of `segments` that the YAML has (the parent's, for a missing key). */
function lineOf(doc: Document, lines: LineCounter, segments: readonly PropertyKey[]): number | undefined {
  for (let n = segments.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n) as unknown[], true);
    const range = (node as { range?: readonly number[] } | null | undefined)?.range;
    if (range !== undefined && typeof range[0] === 'number') return lines.linePos(range[0]).line;
  }
  return undefined;
}

/** Makes every `cookieFile` string (at any depth) absolute against `baseDir`. */
function resolveCookieFiles(value: unknown, baseDir: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveCookieFiles(v, baseDir));
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'cookieFile' && typeof v === 'string' && v !== '' ? resolve(baseDir, v) : resolveCookieFiles(v, baseDir)]),
    );
  }
  return value;
}

/** `./x` and `../x` are paths relative to the config's folder; names and absolute paths stay. */
function resolveAdapter(adapter: string, baseDir: string): string {
  return adapter.startsWith('./') || adapter.startsWith('../') || adapter === '.' || adapter === '..' ? resolve(baseDir, adapter) : adapter;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function chainConfig(parsed: ParsedConfig['chains']['main'], baseDir: string): ChainConfig {
  return {
    adapter: resolveAdapter(parsed.adapter, baseDir),
    options: resolveCookieFiles(parsed.options, baseDir) as Record<string, unknown>,
    confirmations: parsed.confirmations,
    startHeight: parsed.startHeight,
    ...(parsed.anchor === undefined ? {} : { anchor: { height: parsed.anchor.height, header: parsed.anchor.header } }),
    pollIntervalMs: parsed.pollIntervalMs,
  };
}

function directionLimits(parsed: { maxPerTransfer?: bigint | undefined; dailyCap?: bigint | undefined }): DirectionLimits {
  return {
    ...(parsed.maxPerTransfer === undefined ? {} : { maxPerTransfer: parsed.maxPerTransfer }),
    ...(parsed.dailyCap === undefined ? {} : { dailyCap: parsed.dailyCap }),
  };
}

/** Parses 64 hex digits (whitespace around them trimmed) into a valid secp256k1 private key. */
function parsePrivateKey(text: string, where: string, fix: string): Uint8Array | string {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    return `${where} does not hold a private key: expected 64 hex digits (32 bytes), found ${hex.length} characters${hex.length === 0 ? '' : ' that are not 64 hex digits'} (${fix})`;
  }
  const key = hexToBytes(hex);
  if (!isValidPrivateKey(key)) return `${where} holds 64 hex digits that are not a valid secp256k1 private key (zero, or not below the curve order) (${fix})`;
  return key;
}

function readSigningKey(parsed: ParsedConfig['signing'], baseDir: string, env: NodeJS.ProcessEnv): { key: Uint8Array; source: { keyFile: string } | { keyEnv: string } } | Located {
  if (parsed.keyFile !== undefined) {
    const path = resolve(baseDir, parsed.keyFile);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return { path: 'signing.keyFile', text: `signing.keyFile: cannot read the key file ${path} (${code}) (create it holding this operator's private key as 64 hex digits, readable only by the relayer's user, or fix the path)` };
    }
    const key = parsePrivateKey(text, `signing.keyFile: the file ${path}`, "write this operator's 32-byte secp256k1 private key into it as 64 hex digits");
    return typeof key === 'string' ? { path: 'signing.keyFile', text: key } : { key, source: { keyFile: path } };
  }
  const name = parsed.keyEnv!;
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    return { path: 'signing.keyEnv', text: `signing.keyEnv: the environment variable ${name} is ${value === undefined ? 'not set' : 'empty'} (export ${name} holding this operator's private key as 64 hex digits before starting the relayer)` };
  }
  const key = parsePrivateKey(value, `signing.keyEnv: the environment variable ${name}`, `set ${name} to this operator's 32-byte secp256k1 private key as 64 hex digits`);
  return typeof key === 'string' ? { path: 'signing.keyEnv', text: key } : { key, source: { keyEnv: name } };
}

function withToJSON(config: RelayerConfig): RelayerConfig {
  Object.defineProperty(config, 'toJSON', { value: () => redactConfig(config), enumerable: false });
  return Object.freeze(config);
}

/**
 * Parses and checks a config given as text. `baseDir` is where relative paths are read from;
 * `file` names the config in messages, and `config.file` is `file` resolved against `baseDir`.
 */
export function parseConfig(text: string, baseDir: string, env: NodeJS.ProcessEnv = process.env, file = 'config.yaml'): RelayerConfig {
  return buildConfig(text, baseDir, env, file, resolve(baseDir, file));
}

/** `label` names the file in messages (the path as the operator gave it); `file` is absolute. */
function buildConfig(text: string, baseDir: string, env: NodeJS.ProcessEnv, label: string, file: string): RelayerConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): Located => {
      const pos = e.linePos?.[0];
      const [headline, ...context] = e.message.split('\n');
      const what = (headline ?? e.code).replace(/ at line \d+, column \d+:?$/, '');
      const where = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
      const snippet = context.join('\n').trim() === '' ? '' : `\n${context.filter((l) => l !== '').join('\n')}`;
      return { path: '', text: `YAML syntax error${where}: ${what} (fix the YAML there)${snippet}`, ...(pos === undefined ? {} : { line: pos.line, column: pos.col }) };
    });
    throw configError(label, problems);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw configError(label, [{ path: '', text: `cannot read the YAML: ${(e as Error).message} (remove the alias loops or reduce the aliases)` }], e);
  }

  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap(formatIssue).map((p: ConfigProblem): Located => {
      const line = lineOf(doc, lines, p.segments);
      return { path: p.path, text: p.text, ...(line === undefined ? {} : { line }) };
    });
    throw configError(label, problems);
  }
  const parsed = result.data;
  const at = (path: string, text: string): Located => {
    const line = lineOf(doc, lines, path.split('.'));
    return { path, text, ...(line === undefined ? {} : { line }) };
  };

  // redis.url: the file's, else $REDIS_URL, else the local default.
  let redisUrl = parsed.redis.url;
  if (redisUrl === undefined) {
    redisUrl = env['REDIS_URL'] !== undefined && env['REDIS_URL'] !== '' ? env['REDIS_URL'] : DEFAULT_REDIS_URL;
    let ok = false;
    try {
      const u = new URL(redisUrl);
      ok = u.protocol === 'redis:' || u.protocol === 'rediss:';
    } catch {
      ok = false;
    }
    if (!ok) {
      throw configError(label, [at('redis.url', `redis.url: not set, and $REDIS_URL is ${describeValue(redisUrl)}, not a redis:// or rediss:// URL (fix $REDIS_URL or set redis.url)`)]);
    }
  }

  // The federation file.
  const federationFile = resolve(baseDir, parsed.federation.file);
  let federation: Federation;
  try {
    federation = loadFederationFile(federationFile);
  } catch (e) {
    throw configError(
      label,
      [at('federation.file', `federation.file: ${(e as Error).message} (fix the federation file, or point federation.file at this deployment's federation file; relative paths are read from ${baseDir})`)],
      e,
    );
  }

  // The operator's key, which must be one of the federation's.
  const key = readSigningKey(parsed.signing, baseDir, env);
  if ('text' in key) throw configError(label, [at(key.path, key.text)]);
  const publicKey = publicKeyCompressed(key.key);
  const keyIndex = federationKeyIndex(federation, publicKey);
  if (keyIndex === undefined) {
    const from = 'keyFile' in key.source ? `signing.keyFile ${key.source.keyFile}` : `signing.keyEnv ${key.source.keyEnv}`;
    throw configError(label, [
      at(
        'signing',
        `signing: the key of ${from} (public key ${bytesToHex(publicKey)}) is not one of the ${federation.publicKeys.length} keys of federation.file ${federationFile} (${federation.publicKeys.map(bytesToHex).join(', ')}) (use this operator's own key, or add its public key to the federation file every operator shares)`,
      ),
    ]);
  }
  const signing: SigningConfig = { publicKey, keyIndex, ...key.source } as Omit<SigningConfig, 'privateKey'> as SigningConfig;
  Object.defineProperty(signing, 'privateKey', { value: key.key, enumerable: false });

  const config: RelayerConfig = {
    file,
    deployment: parsed.deployment,
    redis: { url: redisUrl, prefix: parsed.redis.prefix },
    chains: { main: chainConfig(parsed.chains.main, baseDir), side: chainConfig(parsed.chains.side, baseDir) },
    federation: { file: federationFile, federation },
    signing,
    fees: { mint: parsed.fees.mint, releaseTargetBlocks: parsed.fees.releaseTargetBlocks },
    limits: { dust: parsed.limits.dust, pegin: directionLimits(parsed.limits.pegin), pegout: directionLimits(parsed.limits.pegout) },
    rbf: { ...parsed.rbf },
    workers: {
      concurrency: { ...parsed.workers.concurrency },
      attempts: parsed.workers.attempts,
      backoff: { ...parsed.workers.backoff },
      keepCompletedSeconds: parsed.workers.keepCompletedSeconds,
      shutdownTimeoutMs: parsed.workers.shutdownTimeoutMs,
    },
    ...(parsed.http === undefined ? {} : { http: { port: parsed.http.port, host: parsed.http.host } }),
    log: { level: parsed.log.level, repeatEveryMs: parsed.log.repeatEveryMs },
  };
  deepFreeze(config.chains);
  for (const k of ['redis', 'federation', 'signing', 'fees', 'limits', 'rbf', 'workers', 'http', 'log'] as const) deepFreeze(config[k]);
  return withToJSON(config);
}

/**
 * Reads, checks and resolves the config file at `path` (relative paths in it are read from its
 * folder). Throws RelayerError CONFIG_INVALID naming the key and the fix.
 */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): RelayerConfig {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new RelayerError('CONFIG_INVALID', `${path}: cannot read the config file (${code}) (check the path; config/example.yaml is a commented example)`, {
      cause: e,
      details: { path: '', file: path },
    });
  }
  return buildConfig(text, dirname(absolute), env, path, absolute);
}

/**
 * A new config whose `role` chain has `options` as its adapter options (every `cookieFile` string
 * resolved against the config file's folder, like the file's own). For `npm start`, which picks
 * ports and cookie paths at run time.
 */
export function withChainOverrides(config: RelayerConfig, role: ChainRole, overrides: { readonly options: Readonly<Record<string, unknown>> }): RelayerConfig {
  if (role !== 'main' && role !== 'side') throw new TypeError(`withChainOverrides role: expected "main" or "side", got ${describeValue(role)}`);
  const options = overrides.options as unknown;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RelayerError('CONFIG_INVALID', `${config.file}: chains.${role}.options: expected a mapping (the adapter's options), got ${describeValue(options)} (pass an object to withChainOverrides)`, {
      details: { path: `chains.${role}.options`, file: config.file },
    });
  }
  const baseDir = dirname(config.file);
  const chain: ChainConfig = deepFreeze({ ...config.chains[role], options: resolveCookieFiles(structuredClone(options), baseDir) as Record<string, unknown> });
  const chains = Object.freeze({ ...config.chains, [role]: chain }) as RelayerConfig['chains'];
  return withToJSON({ ...config, chains });
}

// ---------------------------------------------------------------------------------------------
// Redaction

const SECRET_OPTION = /pass(word|phrase)?$|secret|token|api_?key|private_?key|^auth/i;

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '<redacted>';
    return u.href;
  } catch {
    return url;
  }
}

function jsonSafe(value: unknown, keyName = ''): unknown {
  if (keyName !== '' && SECRET_OPTION.test(keyName) && value !== undefined && value !== null) return '<redacted>';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v));
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v, k)]));
  return value;
}

function chainJson(chain: ChainConfig): Record<string, unknown> {
  return {
    adapter: chain.adapter,
    options: jsonSafe(chain.options),
    confirmations: chain.confirmations,
    startHeight: chain.startHeight,
    ...(chain.anchor === undefined ? {} : { anchor: { height: chain.anchor.height, header: bytesToHex(chain.anchor.header) } }),
    pollIntervalMs: chain.pollIntervalMs,
  };
}

function limitsJson(limits: DirectionLimits): Record<string, string> {
  return {
    ...(limits.maxPerTransfer === undefined ? {} : { maxPerTransfer: limits.maxPerTransfer.toString() }),
    ...(limits.dailyCap === undefined ? {} : { dailyCap: limits.dailyCap.toString() }),
  };
}

/**
 * The config as a JSON-safe object for logs and status pages: bigints as decimal strings, bytes as
 * hex, the private key "<redacted>", and passwords (in the Redis URL, option keys named like
 * password/secret/token) "<redacted>".
 */
export function redactConfig(config: RelayerConfig): Record<string, unknown> {
  return {
    file: config.file,
    deployment: config.deployment,
    redis: { url: redactUrl(config.redis.url), prefix: config.redis.prefix },
    chains: { main: chainJson(config.chains.main), side: chainJson(config.chains.side) },
    federation: { file: config.federation.file, ...federationToJson(config.federation.federation) },
    signing: {
      privateKey: '<redacted>',
      publicKey: bytesToHex(config.signing.publicKey),
      keyIndex: config.signing.keyIndex,
      ...(config.signing.keyFile === undefined ? {} : { keyFile: config.signing.keyFile }),
      ...(config.signing.keyEnv === undefined ? {} : { keyEnv: config.signing.keyEnv }),
    },
    fees: { mint: config.fees.mint.toString(), releaseTargetBlocks: config.fees.releaseTargetBlocks },
    limits: { dust: config.limits.dust.toString(), pegin: limitsJson(config.limits.pegin), pegout: limitsJson(config.limits.pegout) },
    rbf: { ...config.rbf },
    workers: {
      concurrency: { ...config.workers.concurrency },
      attempts: config.workers.attempts,
      backoff: { ...config.workers.backoff },
      keepCompletedSeconds: config.workers.keepCompletedSeconds,
      shutdownTimeoutMs: config.workers.shutdownTimeoutMs,
    },
    ...(config.http === undefined ? {} : { http: { ...config.http } }),
    log: { ...config.log },
  };
}
