/**
 * A minimal out-of-tree ledger adapter for utxo-relay (docs/adapters.md). It reaches a devnet
 * main node through utxo-relay's bitcoind adapter and names the chain with its own chain id: the
 * shape to copy for an adapter of a Bitcoin-family chain that Bitcoin Core's RPC can drive.
 *
 * The module contract: export `createAdapter(options)` returning a LedgerAdapter (or a promise
 * of one) whose `contractVersion` is the contract version this adapter was written for.
 * `createAdapter` checks its options itself and refuses a bad value with the key's path and the fix.
 *
 * Out of tree, import from the installed peer package instead: `utxo-relay/adapter` and
 * `utxo-relay/bitcoind`. Inside the utxo-relay repository (this folder has its own package.json,
 * so the package cannot name itself) the same modules are imported by relative path.
 */
import { ADAPTER_CONTRACT_VERSION, type LedgerAdapter } from '../../ledgers/adapter.js';
import { CHAIN_PROFILES, createBitcoindAdapter } from '../../ledgers/bitcoind/index.js';

export interface ExampleAdapterOptions {
  /** [Required] The devnet main node's JSON-RPC URL, e.g. http://127.0.0.1:18443/ */
  readonly rpcUrl: string;
  /** [Required] RPC credentials. */
  readonly user: string;
  readonly password: string;
  /** [Default: none, i.e. polling] The node's websocket URL for pushed blocks. */
  readonly websocketUrl?: string;
  /** [Default: "example-devnet"] The chain id in configs and logs. */
  readonly chainId?: string;
}

function assertOptions(options: unknown): asserts options is ExampleAdapterOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('example adapter options: expected an object { rpcUrl, user, password, websocketUrl?, chainId? }');
  const o = options as Record<string, unknown>;
  for (const key of ['rpcUrl', 'user', 'password'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '') throw new TypeError(`example adapter options.${key}: required, a non-empty string`);
  }
  for (const key of ['websocketUrl', 'chainId'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') throw new TypeError(`example adapter options.${key}: expected a string or nothing`);
  }
}

export function createAdapter(options: unknown): LedgerAdapter {
  assertOptions(options);
  const devnet = CHAIN_PROFILES['devnet-main']!;
  const inner = createBitcoindAdapter({
    profile: { ...devnet, chainId: options.chainId ?? 'example-devnet' },
    endpoints: [{ url: options.rpcUrl, user: options.user, password: options.password }],
    ...(options.websocketUrl === undefined ? {} : { websocketUrl: options.websocketUrl }),
    pollIntervalMs: 100,
    feeRate: { floor: 1, cap: 500 },
  });
  // A thin adapter: every method delegates. A real one would implement them against its node.
  return {
    contractVersion: ADAPTER_CONTRACT_VERSION,
    info: inner.info,
    getTip: () => inner.getTip(),
    getBlockHash: (height) => inner.getBlockHash(height),
    getHeader: (hashLE) => inner.getHeader(hashLE),
    getHeaders: (fromHeight, count) => inner.getHeaders(fromHeight, count),
    subscribeBlocks: (fromHeight, listener) => inner.subscribeBlocks(fromHeight, listener),
    scanBlock: (hashLE, watch) => inner.scanBlock(hashLE, watch),
    getInclusionProof: (txidLE, blockHashLE) => inner.getInclusionProof(txidLE, blockHashLE),
    listUnspent: (script) => inner.listUnspent(script),
    estimateFeeRate: (target) => inner.estimateFeeRate(target),
    buildSpend: (spec) => inner.buildSpend(spec),
    finalizeSpend: (unsigned, signatures) => inner.finalizeSpend(unsigned, signatures),
    broadcast: (rawTx) => inner.broadcast(rawTx),
    getTransactionStatus: (txidLE, rawTx) => inner.getTransactionStatus(txidLE, rawTx),
    getMempoolSpends: (outpoints) => inner.getMempoolSpends(outpoints),
    // a main chain: the bitcoind adapter refuses it (NODE_REFUSED), as the contract says
    getPegInClaim: (lockTxidLE, lockVout) => inner.getPegInClaim(lockTxidLE, lockVout),
    getUtxoSetTotal: () => inner.getUtxoSetTotal(),
    close: () => inner.close(),
  };
}
