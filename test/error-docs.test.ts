/**
 * Every error code of every error class is explained in the operator doc its `docsPath` points
 * at (docs/errors.md, docs/ledger-errors.md, docs/devnet-errors.md, docs/devnet.md), so that an
 * operator who sees a code can look it up.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { UtxoRelayError } from '../proofs/base-error.js';
import { PROOF_ERROR_CODES, ProofError } from '../proofs/errors.js';
import { ADDRESS_ERROR_CODES, AddressError, SCRIPT_ERROR_CODES, ScriptError } from '../ledgers/bitcoin/errors.js';
import { FederationFileError } from '../ledgers/bitcoin/federation-file.js';
import { ADAPTER_LOAD_ERROR_CODES, AdapterLoadError, LEDGER_ERROR_CODES, LedgerError } from '../ledgers/errors.js';
import { DEVNET_REJECT_CODES, DevnetRejectError, DevnetStoreError } from '../ledgers/devnet/errors.js';
import { RPC_ERROR_CODES, RpcError } from '../ledgers/devnet/rpc/errors.js';
import { WALLET_ERROR_CODES, WalletError } from '../ledgers/devnet/wallet/wallet-error.js';
import { RELAYER_ERROR_CODES, RelayerError } from '../relayer/errors.js';
import { REJECT_CODES } from '../relayer/detect/index.js';

const errors: UtxoRelayError[] = [
  ...PROOF_ERROR_CODES.map((c) => new ProofError(c, 'x')),
  ...SCRIPT_ERROR_CODES.map((c) => new ScriptError(c, 'x')),
  ...ADDRESS_ERROR_CODES.map((c) => new AddressError(c, 'x')),
  ...LEDGER_ERROR_CODES.map((c) => new LedgerError(c, 'x')),
  ...ADAPTER_LOAD_ERROR_CODES.map((c) => new AdapterLoadError(c, 'x')),
  new FederationFileError('x'),
  ...DEVNET_REJECT_CODES.map((c) => new DevnetRejectError(c, 'x')),
  new DevnetStoreError('DEVNET_STORE_CORRUPT', 'x'),
  ...(Object.keys(RPC_ERROR_CODES) as (keyof typeof RPC_ERROR_CODES)[]).map((c) => new RpcError(c, 'x')),
  ...WALLET_ERROR_CODES.map((c) => new WalletError(c, 'x')),
  ...RELAYER_ERROR_CODES.map((c) => new RelayerError(c, 'x')),
];

test('every error code is explained in the doc its docsPath names', () => {
  const docs = new Map<string, string>();
  for (const error of errors) {
    const file = error.docsPath.split('#')[0]!;
    if (!docs.has(file)) docs.set(file, readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
    assert.ok(docs.get(file)!.includes(`\`${error.code}\``), `${error.constructor.name} ${error.code} is not explained in ${file}`);
  }
});

test('every rejection reason code is listed in docs/relayer-errors.md', () => {
  const doc = readFileSync(new URL('../docs/relayer-errors.md', import.meta.url), 'utf8');
  for (const code of REJECT_CODES) assert.ok(doc.includes(`\`${code}\``), `${code} is not listed in docs/relayer-errors.md`);
});
