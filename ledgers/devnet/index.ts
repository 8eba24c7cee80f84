/**
 * The devnet chain core (docs/devnet.md): networks, consensus, the chain with its mempool, the
 * miner and persistence. The RPC server (ledgers/devnet/rpc/) drives it through ChainApi.
 */
export type { AcceptResult, BlockInfo, ChainApi, ChainEvents, DevnetRole, MempoolEntry, RejectCode, UtxoEntry } from './chain-api.js';
export {
  COIN,
  DEFAULT_COINBASE_MATURITY,
  DEVNET_BITS,
  DEVNET_GENESIS_TIME,
  DEVNET_MAIN,
  DEVNET_MAIN_GENESIS_BLOCK,
  DEVNET_POW_LIMIT,
  DEVNET_SIDE,
  DEVNET_SIDE_GENESIS_BLOCK,
  HALVING_INTERVAL,
  INITIAL_SUBSIDY,
  blockSubsidy,
  devnetNetwork,
  genesisCoinbase,
  mainSubsidy,
  sideSubsidy,
  type DevnetNetwork,
} from './params.js';
export { DEVNET_REJECT_CODES, DevnetRejectError, DevnetStoreError, rejectCodeOf, type DevnetRejectCode } from './errors.js';
export { DevnetChain, type DevnetChainOptions } from './chain/devnet-chain.js';
export { MAX_TEMPLATE_WEIGHT, MIN_RELAY_FEE_RATE } from './mempool.js';
export { BLOCK_VERSION, assembleBlock, buildCoinbase, solveHeader, type AssembleOptions, type CoinbaseOptions } from './miner.js';
export { BlockStore } from './block-store.js';
export {
  MAX_PEGIN_VOUT,
  MINT_SIGNATURE_TAG,
  PEGIN_FLAG,
  encodeMintWitness,
  hasPegInInput,
  isPegInInput,
  mintSignatureMessage,
  pegInOutpoint,
  pegInVout,
  verifyMint,
  type MintRules,
  type MintWitnessParts,
  type VerifiedMint,
} from './consensus/mint.js';
export { DUST_THRESHOLD, isDust, isStandardOutputScript } from './consensus/standard.js';
export { LOCKTIME_THRESHOLD, isFinalTx } from './consensus/finality.js';
