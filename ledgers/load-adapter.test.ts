import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BITCOIND_ADAPTER_MODULE, BUILTIN_ADAPTER_MODULES, assertLedgerAdapter, loadAdapter } from './load-adapter.js';
import { eventually } from '../test/eventually.js';
import { AdapterLoadError, LedgerError, type AdapterLoadErrorCode } from './errors.js';

const root = fileURLToPath(new URL('..', import.meta.url));

async function refusal(module: string, options: unknown = {}): Promise<AdapterLoadError> {
  try {
    await loadAdapter({ module, options }, { baseDir: root });
  } catch (e) {
    assert.ok(e instanceof AdapterLoadError, `expected an AdapterLoadError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${module} was loaded`);
}

const cases: [string, string, AdapterLoadErrorCode, RegExp][] = [
  ['a missing file', './test/adapter-plugins/no-such-plugin.ts', 'ADAPTER_NOT_FOUND', /was not found.*check the path/],
  ['a package that is not installed', 'utxo-relay-adapter-nonexistent', 'ADAPTER_NOT_FOUND', /npm install utxo-relay-adapter-nonexistent/],
  ['a module that throws at import', './test/adapter-plugins/throws-on-load.ts', 'ADAPTER_LOAD_FAILED', /this adapter module is broken/],
  ['a module without createAdapter', './test/adapter-plugins/no-factory.ts', 'ADAPTER_BAD_EXPORT', /no createAdapter function export.*exports: createBitcoindAdapter/],
  ['a factory that refuses its options', './test/adapter-plugins/bad-options.ts', 'ADAPTER_CREATE_FAILED', /options\.url: required/],
  ['another contract version', './test/adapter-plugins/wrong-version.ts', 'ADAPTER_CONTRACT_MISMATCH', /implements contract version 2, this utxo-relay expects version 1/],
  ['missing methods', './test/adapter-plugins/incomplete.ts', 'ADAPTER_INCOMPLETE', /getBlockHash is undefined \(missing\), expected a function.*close is undefined/],
];

describe('loadAdapter refuses what does not meet the contract', () => {
  for (const [name, module, code, message] of cases) {
    test(`${name}: ${code}`, async () => {
      const e = await refusal(module);
      assert.equal(e.code, code);
      assert.match(e.message, message);
      assert.equal(e.details['module'], module);
      assert.equal(e.docsPath, `docs/ledger-errors.md#${code.toLowerCase().replaceAll('_', '-')}`);
    });
  }

  test('an empty module name: ADAPTER_NOT_FOUND naming the built-in adapters', async () => {
    const e = await refusal('');
    assert.equal(e.code, 'ADAPTER_NOT_FOUND');
    assert.match(e.message, /utxo-relay\/bitcoind/);
  });

  test('assertLedgerAdapter names every wrong info field', () => {
    assert.throws(
      () => assertLedgerAdapter({ contractVersion: 1, info: { chainId: '', family: 'ergo', capabilities: { segwit: 'yes' } } }, 'm'),
      (e: unknown) => e instanceof AdapterLoadError && e.code === 'ADAPTER_INCOMPLETE' && /info\.chainId.*info\.family.*info\.params.*info\.addressHrp.*info\.capabilities\.segwit/.test(e.message),
    );
  });
});

describe('built-in adapters', () => {
  test(`${BITCOIND_ADAPTER_MODULE} is built in and resolves to ledgers/bitcoind (its config checks refuse bad options)`, async () => {
    assert.deepEqual(BUILTIN_ADAPTER_MODULES, [BITCOIND_ADAPTER_MODULE]);
    const e = await refusal(BITCOIND_ADAPTER_MODULE, { profile: 'devnet-main', endpoints: [] });
    assert.equal(e.code, 'ADAPTER_CREATE_FAILED');
    assert.match(e.message, /endpoints/);
  });

  test(`${BITCOIND_ADAPTER_MODULE} takes a profile by name and builds the adapter`, async () => {
    const adapter = await loadAdapter({ module: BITCOIND_ADAPTER_MODULE, options: { profile: 'devnet-side', endpoints: [{ url: 'http://127.0.0.1:1/' }], feeRate: { floor: 1, cap: 10 } } });
    assert.equal(adapter.info.chainId, 'devnet-side');
    await adapter.close();
  });

  test(`${BITCOIND_ADAPTER_MODULE} reports its block stream errors to the host's onStreamError (a sink that throws changes nothing)`, async () => {
    const seen: unknown[] = [];
    const host = {
      onStreamError: (e: unknown) => {
        seen.push(e);
        throw new Error('a sink that throws');
      },
    };
    // nothing listens on port 1: every poll of the stream fails
    const adapter = await loadAdapter({ module: BITCOIND_ADAPTER_MODULE, options: { profile: 'devnet-main', endpoints: [{ url: 'http://127.0.0.1:1/', user: 'u', password: 'p' }], pollIntervalMs: 20, feeRate: { floor: 1, cap: 10 } } }, { host });
    const events: unknown[] = [];
    const subscription = adapter.subscribeBlocks(0, (e) => void events.push(e));
    try {
      await eventually(() => assert.ok(seen.length >= 2, `the stream went on after the sink threw (${seen.length} errors so far)`));
    } finally {
      await subscription.close();
      await adapter.close();
    }
    assert.ok(seen[0] instanceof LedgerError && seen[0].code === 'NODE_UNREACHABLE', String(seen[0]));
    assert.deepEqual(events, [], 'the listener never sees errors');
  });

  test('a module whose createAdapter takes only options still loads when a host is given', async () => {
    // examples/adapter-plugin exports createAdapter(options): the host is simply not used
    const options = { rpcUrl: 'http://127.0.0.1:1/', user: 'u', password: 'p' };
    const adapter = await loadAdapter({ module: './examples/adapter-plugin/index.ts', options }, { baseDir: root, host: { onStreamError: () => {} } });
    assert.equal(adapter.info.chainId, 'example-devnet');
    await adapter.close();
  });
});

test('every AdapterLoadError code has its section in docs/ledger-errors.md under its docsPath anchor', async () => {
  const { readFileSync } = await import('node:fs');
  const { ADAPTER_LOAD_ERROR_CODES } = await import('./errors.js');
  const doc = readFileSync(new URL('../docs/ledger-errors.md', import.meta.url), 'utf8');
  for (const code of ADAPTER_LOAD_ERROR_CODES) {
    const [file, anchor] = new AdapterLoadError(code, 'x').docsPath.split('#');
    assert.equal(file, 'docs/ledger-errors.md');
    assert.ok(doc.includes(`#### ${anchor}\n\`${code}\``), `${code} is not documented as #### ${anchor}`);
  }
});
