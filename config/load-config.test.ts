import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { parse, stringify } from 'yaml';
import { sha256 } from '@noble/hashes/sha2.js';
import { federationKeyIndex } from '../ledgers/bitcoin/lock-script.js';
import { publicKeyCompressed } from '../ledgers/bitcoin/signatures.js';
import { assertBitcoindConfig, chainProfile } from '../ledgers/bitcoind/index.js';
import type { BitcoindAdapterConfig } from '../ledgers/bitcoind/index.js';
import { bytesToHex, hashToDisplay } from '../proofs/bytes.js';
import { RelayerError } from '../relayer/errors.js';
import { DEFAULT_WORKER_CONCURRENCY, loadConfig, parseConfig, redactConfig, withChainOverrides, type RelayerConfig } from './index.js';

const configDir = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Private key n (n small) as 64 hex digits, and its compressed public key. */
const privHex = (n: number) => n.toString(16).padStart(64, '0');
const pubHex = (n: number) => bytesToHex(publicKeyCompressed(Uint8Array.from(Buffer.from(privHex(n), 'hex'))));
// A 2-of-3 federation of keys 2, 3, 4; the operator holds key 3; key 5 is a stranger.
const OPERATOR = privHex(3);
writeFileSync(join(dir, 'federation.json'), JSON.stringify({ threshold: 2, publicKeys: [pubHex(2), pubHex(3), pubHex(4)], lockType: 'p2wsh' }));
writeFileSync(join(dir, 'operator.key'), `  ${OPERATOR}\n`);
writeFileSync(join(dir, 'stranger.key'), `${privHex(5)}\n`);
writeFileSync(join(dir, 'bad.key'), 'not a key\n');
writeFileSync(join(dir, 'zero.key'), `${'0'.repeat(64)}\n`);
writeFileSync(join(dir, 'fed-not-json.json'), '{ threshold: 1');
writeFileSync(join(dir, 'fed-threshold.json'), JSON.stringify({ threshold: 4, publicKeys: [pubHex(2), pubHex(3), pubHex(4)], lockType: 'p2wsh' }));

// A real mainnet header (block 878976, a retarget boundary) for the anchor.
const ANCHOR_HEADER =
  '0080cb2a84fa5fcdb3c448a0dc7f38c6a7e55f1261fcec2f0b6d00000000000000000000a2282f81592e007e389fa35ed4a9f5559c2ebf12fa76b54f0316668dcba6d961af1f8467618c02178c74d981';

type Doc = Record<string, unknown>;

/** The smallest valid config: only the required keys. */
function minimal(): Doc {
  return {
    deployment: 'test-op1',
    chains: {
      main: { options: { profile: 'devnet-main', endpoints: [{ url: 'http://127.0.0.1:1/' }], feeRate: { floor: 1, cap: 10 } } },
      side: { options: { profile: 'devnet-side', endpoints: [{ url: 'http://127.0.0.1:2/' }], feeRate: { floor: 1, cap: 10 } } },
    },
    federation: { file: 'federation.json' },
    signing: { keyFile: 'operator.key' },
  };
}

/** Sets (or, with undefined, deletes) the value at a dotted path, creating mappings on the way. */
function set(doc: Doc, path: string, value: unknown): Doc {
  const keys = path.split('.');
  let node = doc;
  for (const k of keys.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
    node = node[k] as Doc;
  }
  if (value === undefined) delete node[keys.at(-1)!];
  else node[keys.at(-1)!] = value;
  return doc;
}

function load(doc: Doc | string, env: NodeJS.ProcessEnv = {}): RelayerConfig {
  return parseConfig(typeof doc === 'string' ? doc : stringify(doc), dir, env, 'config.yaml');
}

function refusal(doc: Doc | string, env: NodeJS.ProcessEnv = {}): RelayerError {
  try {
    load(doc, env);
  } catch (e) {
    assert.ok(e instanceof RelayerError, `expected a RelayerError, got ${String(e)}`);
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal(e.details['file'], 'config.yaml');
    assert.ok(!e.message.includes(OPERATOR), 'the private key is in the message');
    return e;
  }
  assert.fail('the config was accepted');
}

describe('the ready configs load', () => {
  test('config/devnet.yaml: the devnet deployment, signing with the public dev key', () => {
    const c = loadConfig(join(configDir, 'devnet.yaml'), {});
    assert.equal(c.file, join(configDir, 'devnet.yaml'));
    assert.equal(c.deployment, 'devnet');
    assert.equal(c.federation.file, join(configDir, 'devnet-federation.json'));
    assert.equal(c.federation.federation.threshold, 1);
    assert.equal(c.signing.keyIndex, 0);
    assert.equal(bytesToHex(c.signing.privateKey), privHex(1));
    assert.equal(bytesToHex(c.signing.publicKey), pubHex(1));
    assert.equal(c.signing.keyFile, join(configDir, 'devnet-operator.key'));
    assert.equal(c.redis.url, 'redis://127.0.0.1:6379');
    for (const role of ['main', 'side'] as const) {
      const chain = c.chains[role];
      assert.equal(chain.adapter, 'utxo-relay/bitcoind');
      assert.equal(chain.confirmations, 2);
      assert.equal(chain.pollIntervalMs, 250);
      assert.equal(chain.anchor, undefined);
      assert.deepEqual(chain.options['endpoints'], [
        { url: `http://127.0.0.1:${role === 'main' ? 18443 : 18444}/`, cookieFile: `/tmp/utxo-relay-devnet/${role}/.cookie` },
      ]);
      assert.equal(chain.options['websocketUrl'], `ws://127.0.0.1:${role === 'main' ? 18453 : 18454}/`);
      // The options are exactly what the bitcoind adapter accepts (the loader looks the profile up).
      const options = chain.options as Record<string, unknown> & { profile: string };
      assertBitcoindConfig({ ...options, profile: chainProfile(options.profile) } as unknown as BitcoindAdapterConfig);
      assert.equal(options.profile, `devnet-${role}`);
    }
    for (const direction of ['pegin', 'pegout'] as const) {
      assert.equal(c.limits[direction].maxPerTransfer, 10n * 100_000_000n);
      assert.equal(c.limits[direction].dailyCap, 100n * 100_000_000n);
    }
  });

  test('config/devnet.yaml takes REDIS_URL from the environment', () => {
    assert.equal(loadConfig(join(configDir, 'devnet.yaml'), { REDIS_URL: 'redis://10.1.2.3:6400/2' }).redis.url, 'redis://10.1.2.3:6400/2');
  });

  test('config/example.yaml: bitcoin mainnet with an anchor, a side chain adapter by path, the key from the environment', () => {
    const home = join(dir, 'example');
    mkdirSync(home, { recursive: true });
    copyFileSync(join(configDir, 'example.yaml'), join(home, 'example.yaml'));
    copyFileSync(join(dir, 'federation.json'), join(home, 'federation.json'));
    const c = loadConfig(join(home, 'example.yaml'), { UTXO_RELAY_KEY: OPERATOR });
    assert.equal(c.deployment, 'btc-side-op1');
    assert.equal(c.chains.main.anchor?.height, 878976);
    assert.equal(c.chains.main.anchor.header.length, 80);
    assert.equal(hashToDisplay(sha256(sha256(c.chains.main.anchor.header))), '00000000000000000002819359a9af460f342404bec23e7478512a619584083b');
    assert.equal(c.chains.main.startHeight, 878976);
    assert.equal(c.chains.side.adapter, join(home, 'adapters/side-chain/index.js'));
    assert.equal(c.chains.side.options['cookieFile'], join(home, 'secrets/side-node.cookie'));
    assert.deepEqual((c.chains.main.options['endpoints'] as unknown[])[0], { url: 'http://10.0.0.11:8332/', cookieFile: '/var/lib/bitcoind/.cookie' });
    assert.equal(c.signing.keyEnv, 'UTXO_RELAY_KEY');
    assert.equal(c.signing.keyIndex, federationKeyIndex(c.federation.federation, publicKeyCompressed(c.signing.privateKey)));
    assert.deepEqual(c.http, { port: 8080, host: '127.0.0.1' });
    const main = c.chains.main.options as Record<string, unknown> & { profile: string };
    assertBitcoindConfig({ ...main, profile: chainProfile(main.profile) } as unknown as BitcoindAdapterConfig);
    const logged = JSON.stringify(redactConfig(c));
    assert.ok(!logged.includes('change-me') && !logged.includes(OPERATOR));
  });

  test('a missing config file is CONFIG_INVALID naming it', () => {
    assert.throws(() => loadConfig(join(dir, 'nope.yaml')), (e: unknown) => e instanceof RelayerError && e.code === 'CONFIG_INVALID' && /nope\.yaml: cannot read the config file \(ENOENT\)/.test(e.message));
  });
});

describe('values', () => {
  test('defaults apply to every key left out', () => {
    const c = load(minimal());
    assert.equal(c.file, join(dir, 'config.yaml'));
    assert.deepEqual(c.redis, { url: 'redis://127.0.0.1:6379', prefix: '{utxo-relay}' });
    for (const role of ['main', 'side'] as const) {
      const { options: _options, ...rest } = c.chains[role];
      assert.deepEqual(rest, { adapter: 'utxo-relay/bitcoind', confirmations: 6, startHeight: 0, pollIntervalMs: 5000 });
    }
    assert.deepEqual(c.fees, { mint: 1000n, releaseTargetBlocks: 2 });
    assert.deepEqual(c.limits, { dust: 546n, pegin: {}, pegout: {} });
    assert.deepEqual(c.rbf, { afterBlocks: 3, factor: 1.5, maxFeeRate: 1000 });
    assert.deepEqual(c.workers, { concurrency: DEFAULT_WORKER_CONCURRENCY, attempts: 12, backoff: { delayMs: 1000, maxDelayMs: 60000 }, keepCompletedSeconds: 86400, shutdownTimeoutMs: 15000 });
    assert.equal(c.http, undefined);
    assert.deepEqual(c.log, { level: 'info', repeatEveryMs: 60000 });
    assert.equal(c.signing.keyIndex, federationKeyIndex(c.federation.federation, publicKeyCompressed(Uint8Array.from(Buffer.from(OPERATOR, 'hex')))));
    assert.equal(bytesToHex(c.signing.publicKey), pubHex(3));
  });

  test('a partial mapping keeps the defaults of its other keys', () => {
    const c = load(set(set(set(minimal(), 'workers.concurrency.sign', 1), 'workers.backoff.delayMs', 10), 'http.port', 0));
    assert.deepEqual(c.workers.concurrency, { ...DEFAULT_WORKER_CONCURRENCY, sign: 1 });
    assert.deepEqual(c.workers.backoff, { delayMs: 10, maxDelayMs: 60000 });
    assert.deepEqual(c.http, { port: 0, host: '127.0.0.1' });
  });

  test('amounts are bigints, from numbers or strings of digits', () => {
    const doc = minimal();
    set(doc, 'fees.mint', 0);
    set(doc, 'limits.dust', '330');
    set(doc, 'limits.pegin', { maxPerTransfer: 100_000_000, dailyCap: '2100000000000000' });
    set(doc, 'limits.pegout', { dailyCap: '99999999999999999999' });
    const c = load(doc);
    assert.equal(c.fees.mint, 0n);
    assert.equal(c.limits.dust, 330n);
    assert.deepEqual(c.limits.pegin, { maxPerTransfer: 100_000_000n, dailyCap: 2_100_000_000_000_000n });
    assert.deepEqual(c.limits.pegout, { dailyCap: 99_999_999_999_999_999_999n });
  });

  test('relative paths are read from the config folder; names and absolute paths stay', () => {
    const doc = minimal();
    set(doc, 'chains.main.adapter', './adapters/main.js');
    set(doc, 'chains.side.adapter', 'utxo-relay-adapter-someone');
    set(doc, 'chains.main.options.endpoints', [{ url: 'http://a/', cookieFile: 'node-a/.cookie' }, { url: 'http://b/', cookieFile: '/abs/.cookie' }]);
    set(doc, 'chains.side.options.nested', { deeper: [{ cookieFile: '../side.cookie' }] });
    set(doc, 'federation.file', './federation.json');
    const c = load(doc);
    assert.equal(c.chains.main.adapter, join(dir, 'adapters/main.js'));
    assert.equal(c.chains.side.adapter, 'utxo-relay-adapter-someone');
    assert.deepEqual(c.chains.main.options['endpoints'], [{ url: 'http://a/', cookieFile: join(dir, 'node-a/.cookie') }, { url: 'http://b/', cookieFile: '/abs/.cookie' }]);
    assert.deepEqual(c.chains.side.options['nested'], { deeper: [{ cookieFile: join(dir, '../side.cookie') }] });
    assert.equal(c.federation.file, join(dir, 'federation.json'));
    assert.equal(c.signing.keyFile, join(dir, 'operator.key'));
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'relayer.yaml'), stringify(set(set(minimal(), 'federation.file', '../federation.json'), 'signing.keyFile', '../operator.key')));
    assert.equal(loadConfig(join(sub, 'relayer.yaml')).federation.file, join(dir, 'federation.json'));
  });

  test('the key may come from the environment (whitespace trimmed)', () => {
    const c = load(set(minimal(), 'signing', { keyEnv: 'OP_KEY' }), { OP_KEY: ` ${OPERATOR.toUpperCase()}\n` });
    assert.equal(bytesToHex(c.signing.privateKey), OPERATOR);
    assert.equal(c.signing.keyEnv, 'OP_KEY');
    assert.equal(c.signing.keyFile, undefined);
  });

  test('an anchor becomes 80 bytes', () => {
    const c = load(set(minimal(), 'chains.main.anchor', { height: 878976, header: ANCHOR_HEADER }));
    assert.equal(bytesToHex(c.chains.main.anchor!.header), ANCHOR_HEADER);
    assert.equal(c.chains.main.anchor!.height, 878976);
  });

  test('the result is frozen, all the way down', () => {
    const c = load(set(minimal(), 'limits.pegin.dailyCap', 5));
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.chains.main.options) && Object.isFrozen(c.limits.pegin) && Object.isFrozen(c.signing));
    assert.ok(Object.isFrozen((c.chains.main.options['endpoints'] as object[])[0]));
    assert.throws(() => {
      (c.chains.main as { confirmations: number }).confirmations = 1;
    }, TypeError);
  });
});

describe('the private key stays secret', () => {
  test('redactConfig: JSON-safe, bigints as strings, bytes as hex, the key and passwords redacted', () => {
    const doc = set(minimal(), 'redis.url', 'redis://user:hunter2@10.0.0.1:6379');
    set(doc, 'chains.main.options.endpoints', [{ url: 'http://u:pw1@a/', user: 'u', password: 'pw2' }]);
    set(doc, 'chains.main.anchor', { height: 0, header: ANCHOR_HEADER });
    set(doc, 'limits.pegin.maxPerTransfer', '123');
    const c = load(doc);
    const r = redactConfig(c);
    const text = JSON.stringify(r);
    assert.deepEqual(JSON.parse(text), r);
    for (const secret of [OPERATOR, 'hunter2', 'pw1', 'pw2']) assert.ok(!text.includes(secret), `${secret} is in redactConfig's output`);
    const signing = r['signing'] as Record<string, unknown>;
    assert.equal(signing['privateKey'], '<redacted>');
    assert.equal(signing['publicKey'], pubHex(3));
    assert.equal((r['limits'] as { pegin: { maxPerTransfer: string } }).pegin.maxPerTransfer, '123');
    assert.equal((r['fees'] as { mint: string }).mint, '1000');
    assert.equal(((r['chains'] as { main: { anchor: { header: string } } }).main.anchor.header), ANCHOR_HEADER);
    assert.match((r['redis'] as { url: string }).url, /^redis:\/\/user:(%3C|<)redacted(%3E|>)@10\.0\.0\.1:6379$/);
  });

  test('JSON.stringify, util.inspect and spreads do not show the key', () => {
    const c = load(minimal());
    assert.equal(JSON.stringify(c), JSON.stringify(redactConfig(c)));
    assert.ok(!inspect(c, { depth: 10 }).includes(OPERATOR));
    assert.ok(!inspect(c.signing.privateKey).includes(OPERATOR)); // bytes, not hex: but never printed as hex
    assert.equal(Object.keys(c.signing).includes('privateKey'), false);
    assert.equal(c.signing.privateKey.length, 32);
  });

  test('a value that looks like a key is never echoed in a message', () => {
    const e = refusal(set(minimal(), 'signing', { keyEnv: OPERATOR }));
    assert.equal(e.details['path'], 'signing.keyEnv');
    assert.match(e.message, /a string of 64 characters \(not shown: it may be a key\)/);
    const e2 = refusal(set(minimal(), 'signing', { keyEnv: 'K' }), { K: `${OPERATOR}00` });
    assert.match(e2.message, /found 66 characters that are not 64 hex digits/);
  });
});

describe('withChainOverrides', () => {
  test('replaces one chain\'s adapter options and nothing else', () => {
    const c = load(minimal());
    const options = { profile: 'devnet-main', endpoints: [{ url: 'http://127.0.0.1:40001/', cookieFile: 'run/.cookie' }] };
    const o = withChainOverrides(c, 'main', { options });
    assert.deepEqual(o.chains.main.options, { profile: 'devnet-main', endpoints: [{ url: 'http://127.0.0.1:40001/', cookieFile: join(dir, 'run/.cookie') }] });
    assert.equal(o.chains.main.confirmations, c.chains.main.confirmations);
    assert.equal(o.chains.side, c.chains.side);
    assert.notDeepEqual(c.chains.main.options, o.chains.main.options);
    assert.equal(o.signing.privateKey, c.signing.privateKey);
    assert.ok(Object.isFrozen(o) && Object.isFrozen(o.chains.main.options));
    assert.equal(options.endpoints[0]!.cookieFile, 'run/.cookie', 'the caller\'s object is not changed');
    assert.equal(JSON.stringify(o), JSON.stringify(redactConfig(o)));
    assert.throws(() => withChainOverrides(c, 'side', { options: [] as unknown as Record<string, unknown> }), (e: unknown) => e instanceof RelayerError && e.details['path'] === 'chains.side.options');
  });
});

// [name, the document (or a change of the minimal one), env, the path named, message patterns]
type Case = [string, Doc | string, NodeJS.ProcessEnv, string, RegExp[]];
const change = (path: string, value: unknown): Doc => set(minimal(), path, value);
const cases: Case[] = [
  ['wrong type (the message the operator reads)', change('chains.main.confirmations', 'six'), {}, 'chains.main.confirmations', [
    /^config\.yaml: chains\.main\.confirmations: expected an integer 1\.\.1000, got "six" \(set it to the number of blocks a lock needs before it is minted on the side chain\)$/,
  ]],
  ['missing deployment', change('deployment', undefined), {}, 'deployment', [/^config\.yaml: deployment: missing, expected a name of 1\.\.40 characters.*\(name this deployment/]],
  ['missing chains.side', change('chains.side', undefined), {}, 'chains.side', [/chains\.side: missing, expected a mapping of the side chain.*where mints and burns happen/]],
  ['missing options', change('chains.main.options', undefined), {}, 'chains.main.options', [/chains\.main\.options: missing, expected a mapping \(the adapter's options\)/]],
  ['missing federation', change('federation', undefined), {}, 'federation', [/federation: missing, expected a mapping \{ file \}/]],
  ['missing federation.file', change('federation', {}), {}, 'federation.file', [/federation\.file: missing/]],
  ['unknown top-level key (typo)', change('deploymnet', 'x'), {}, 'deploymnet', [/deploymnet: unknown key; did you mean "deployment"\? \(the keys of the top level are deployment, redis, chains/]],
  ['unknown chain key (typo)', change('chains.main.confirmation', 3), {}, 'chains.main.confirmation', [/chains\.main\.confirmation: unknown key; did you mean "confirmations"\?/]],
  ['unknown nested key', change('workers.concurrency.verfy', 3), {}, 'workers.concurrency.verfy', [/did you mean "verify"\?.*confirm, verify, sign, broadcast, settle/]],
  ['unknown key without a close match', change('rbf.zzz', 1), {}, 'rbf.zzz', [/rbf\.zzz: unknown key \(the keys of rbf are afterBlocks, factor, maxFeeRate; fix its spelling or remove it\)/]],
  ['options not a mapping', change('chains.side.options', ['a']), {}, 'chains.side.options', [/expected a mapping \(the adapter's options\), got a list/]],
  ['a fraction where an integer goes', change('workers.attempts', 2.5), {}, 'workers.attempts', [/workers\.attempts: expected an integer 1\.\.1000, got 2\.5/]],
  ['confirmations 0', change('chains.side.confirmations', 0), {}, 'chains.side.confirmations', [/expected an integer 1\.\.1000, got 0 \(set it to the number of blocks a burn needs/]],
  ['confirmations 1001', change('chains.main.confirmations', 1001), {}, 'chains.main.confirmations', [/got 1001/]],
  ['concurrency out of range', change('workers.concurrency.sign', 300), {}, 'workers.concurrency.sign', [/expected an integer 1\.\.256, got 300/]],
  ['rbf.factor not above 1', change('rbf.factor', 1), {}, 'rbf.factor', [/expected a number > 1 and <= 10, got 1/]],
  ['http.port out of range', change('http', { port: 70000 }), {}, 'http.port', [/expected an integer 0\.\.65535 \(0: any free port\), got 70000/]],
  ['http without a port', change('http', { host: '0.0.0.0' }), {}, 'http.port', [/http\.port: missing/]],
  ['negative startHeight', change('chains.main.startHeight', -1), {}, 'chains.main.startHeight', [/expected an integer >= 0, got -1/]],
  ['a log level that does not exist', change('log.level', 'verbose'), {}, 'log.level', [/expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"/]],
  ['log.repeatEveryMs of 0', change('log.repeatEveryMs', 0), {}, 'log.repeatEveryMs', [/expected an integer 1\.\.3600000, got 0/]],
  ['redis.url not a redis URL', change('redis.url', 'http://x'), {}, 'redis.url', [/expected a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/x"/]],
  ['$REDIS_URL not a redis URL', minimal(), { REDIS_URL: 'localhost:6379' }, 'redis.url', [/redis\.url: not set, and \$REDIS_URL is "localhost:6379", not a redis:\/\/ or rediss:\/\/ URL/]],
  ['deployment with capitals', change('deployment', 'Devnet'), {}, 'deployment', [/deployment: expected a name of 1\.\.40 characters: lowercase letters, digits and "-", not starting with "-", got "Devnet"/]],
  ['deployment starting with -', change('deployment', '-x'), {}, 'deployment', [/got "-x"/]],
  ['deployment too long', change('deployment', 'a'.repeat(41)), {}, 'deployment', [/deployment: expected a name of 1\.\.40/]],
  ['deployment a number', change('deployment', 7), {}, 'deployment', [/got 7/]],
  ['both keyFile and keyEnv', change('signing.keyEnv', 'K'), { K: OPERATOR }, 'signing', [/signing: both keyFile and keyEnv are set \(keep exactly one of them\)/]],
  ['neither keyFile nor keyEnv', change('signing', {}), {}, 'signing', [/signing: neither keyFile nor keyEnv is set \(set keyFile .* or keyEnv/]],
  ['keyEnv not set in the environment', change('signing', { keyEnv: 'NOT_SET_HERE' }), {}, 'signing.keyEnv', [/the environment variable NOT_SET_HERE is not set \(export NOT_SET_HERE/]],
  ['keyEnv holding no key', change('signing', { keyEnv: 'K' }), { K: 'xyz' }, 'signing.keyEnv', [/the environment variable K does not hold a private key: expected 64 hex digits \(32 bytes\), found 3 characters/]],
  ['keyFile missing', change('signing.keyFile', 'no-such.key'), {}, 'signing.keyFile', [/cannot read the key file .*no-such\.key \(ENOENT\)/]],
  ['keyFile holding no key', change('signing.keyFile', 'bad.key'), {}, 'signing.keyFile', [/bad\.key does not hold a private key/]],
  ['keyFile holding zero', change('signing.keyFile', 'zero.key'), {}, 'signing.keyFile', [/not a valid secp256k1 private key/]],
  ['key not in the federation', change('signing.keyFile', 'stranger.key'), {}, 'signing', [
    new RegExp(`signing: the key of signing.keyFile .*stranger\\.key \\(public key ${pubHex(5)}\\) is not one of the 3 keys of federation\\.file .*federation\\.json.*add its public key to the federation file`),
  ]],
  ['federation file missing', change('federation.file', 'nope.json'), {}, 'federation.file', [/federation\.file: .*nope\.json: cannot read the federation file \(ENOENT\)/]],
  ['federation file not JSON', change('federation.file', 'fed-not-json.json'), {}, 'federation.file', [/federation\.file: .*fed-not-json\.json: not JSON \(fix the federation file/]],
  ['federation threshold above N', change('federation.file', 'fed-threshold.json'), {}, 'federation.file', [/threshold: expected an integer in \[1, 3\]/]],
  ['anchor header of 79 bytes', change('chains.main.anchor', { height: 0, header: ANCHOR_HEADER.slice(2) }), {}, 'chains.main.anchor.header', [
    /chains\.main\.anchor\.header: expected the 80-byte block header at anchor\.height as 160 hex digits, got "80cb2a84fa5fcdb3c448a0dc"\.\.\. \(158 characters\)/,
  ]],
  ['anchor without its header', change('chains.side.anchor', { height: 0 }), {}, 'chains.side.anchor.header', [/chains\.side\.anchor\.header: missing/]],
  ['amount as a fraction', change('fees.mint', 1.5), {}, 'fees.mint', [/fees\.mint: expected a whole number of base units >= 0 \(a number, or a string of decimal digits\), got 1\.5/]],
  ['amount as a word', change('limits.dust', 'lots'), {}, 'limits.dust', [/got "lots"/]],
  ['amount negative', change('limits.pegin.maxPerTransfer', -5), {}, 'limits.pegin.maxPerTransfer', [/>= 1 .*got -5/]],
  ['amount beyond 2^53 as a number', change('limits.pegout.dailyCap', 2 ** 60), {}, 'limits.pegout.dailyCap', [/too large to be read exactly as a YAML number; write it as a quoted string of digits/]],
  ['maxPerTransfer above dailyCap', change('limits.pegin', { maxPerTransfer: 10, dailyCap: '5' }), {}, 'limits.pegin.maxPerTransfer', [/10 is above dailyCap 5 \(make maxPerTransfer at most dailyCap\)/]],
  ['maxDelayMs below delayMs', change('workers.backoff', { delayMs: 5000, maxDelayMs: 100 }), {}, 'workers.backoff.maxDelayMs', [/100 is below delayMs 5000/]],
  ['an empty file', '', {}, '', [/^config\.yaml: \(top level\): expected a YAML mapping with at least deployment, chains, federation and signing, got an empty value/]],
  ['a list at the top', '- a\n- b\n', {}, '', [/\(top level\): expected a YAML mapping.*got a list/]],
  ['YAML syntax error', 'deployment: x\nchains: [\nfederation: {', {}, '', [/^config\.yaml: YAML syntax error at line \d+, column \d+: /]],
  ['a duplicate key', 'deployment: a\ndeployment: b\n', {}, '', [/^config\.yaml: YAML syntax error at line 2, column 1: Map keys must be unique/]],
  ['tabs as indentation', 'deployment: a\nchains:\n\tmain: {}\n', {}, '', [/YAML syntax error at line 3, column 1: Tabs are not allowed as indentation/]],
];

describe('every refusal is CONFIG_INVALID naming the key path and the fix', () => {
  for (const [name, doc, env, path, patterns] of cases) {
    test(`${name}: ${path || '(document)'}`, () => {
      const e = refusal(doc, env);
      assert.equal(e.details['path'], path);
      if (path !== '') assert.ok(e.message.startsWith(`config.yaml: ${path}: `), e.message);
      for (const pattern of patterns) assert.match(e.message, pattern);
      assert.match(e.message, /\(.+\)/, 'the message says the fix');
      assert.equal(e.docsPath, 'docs/relayer-errors.md#config-invalid');
    });
  }

  test('the line of the offending key is in the details', () => {
    const text = stringify(change('chains.main.confirmations', 'six'));
    const line = text.split('\n').findIndex((l) => l.includes('confirmations: six')) + 1;
    assert.ok(line > 0);
    assert.equal(refusal(text).details['line'], line);
    const syntax = refusal('deployment: a\nchains:\n\tmain: {}\n');
    assert.deepEqual([syntax.details['line'], syntax.details['column']], [3, 1]);
  });

  test('every problem is reported at once, one line each', () => {
    const doc = set(set(set(minimal(), 'chains.main.confirmations', 'six'), 'deploymnet', 'a'), 'rbf.factor', 0.5);
    const e = refusal(doc);
    const lines = e.message.split('\n');
    assert.equal(lines.length, 3, e.message);
    assert.ok(lines.every((l) => l.startsWith('config.yaml: ')));
    const problems = e.details['problems'] as { path: string }[];
    assert.deepEqual(problems.map((p) => p.path).sort(), ['chains.main.confirmations', 'deploymnet', 'rbf.factor']);
  });

  test('the YAML the refusals are built from is itself valid YAML', () => {
    // Guards the table above: each Doc case is refused for its own reason, not a YAML accident.
    for (const [, doc] of cases) if (typeof doc !== 'string') assert.doesNotThrow(() => parse(stringify(doc)));
  });
});
