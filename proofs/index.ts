/**
 * The proof library's public API (`utxo-relay/proofs`): pure verification of Bitcoin-family
 * headers, blocks, transactions and inclusion proofs. docs/proofs.md describes it.
 */
export { UtxoRelayError } from './base-error.js';
export { PROOF_ERROR_CODES, ProofError, type ProofErrorCode } from './errors.js';
export { bytesToHex, displayToHash, hashToDisplay, hexToBytes } from './bytes.js';
export { sha256, sha256d } from './hash.js';
export { HEADER_SIZE, decodeHeader, encodeHeader, headerHash, type BlockHeader } from './bitcoin/header.js';
export { bitsToTarget, targetToBits, workForBits, workForTarget } from './bitcoin/pow.js';
export { BITCOIN_NETWORKS, MAINNET, REGTEST, TESTNET3, TESTNET4, bitcoinNetwork, type NetworkParams } from './bitcoin/params.js';
export { HeaderChain, type AddResult, type Anchor, type BlockRef, type HeaderChainOptions, type Reorg } from './bitcoin/header-chain.js';
export { parseCheckpoints } from './bitcoin/checkpoints.js';
export { decodeTransaction, encodeTransaction, type DecodedTransaction, type Transaction, type TxInput, type TxOutput } from './bitcoin/transaction.js';
export { decodeBlock, verifyBlock } from './bitcoin/block.js';
export { computeMerkleRoot, merkleBranch, verifyMerkleBranch } from './bitcoin/merkle.js';
export { buildMerkleBlock, verifyMerkleBlock } from './bitcoin/merkle-block.js';
export { encodeMemo, parseMemo, type Memo } from './bitcoin/memo.js';
export { verifyInclusion, type InclusionOptions, type InclusionProof, type VerifiedInclusion } from './bitcoin/inclusion.js';
