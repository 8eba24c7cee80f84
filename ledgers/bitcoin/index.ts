/**
 * Bitcoin-family transaction tooling shared by the devnet node, the ledger adapters and the
 * relayer: sighashes, keys and signatures, Taproot commitments, segwit addresses, the
 * federation's lock, input signing and the script verifier of the supported subset.
 */
export {
  ADDRESS_ERROR_CODES,
  AddressError,
  SCRIPT_ERROR_CODES,
  ScriptError,
  type AddressErrorCode,
  type ScriptErrorCode,
} from './errors.js';
export {
  generatePrivateKey,
  hash160,
  isLowSSignature,
  isStrictDerSignature,
  isValidCompressedPublicKey,
  isValidPrivateKey,
  isValidXOnlyPublicKey,
  publicKeyCompressed,
  signEcdsa,
  signSchnorr,
  taggedHash,
  tweakTaprootPrivateKey,
  verifyEcdsa,
  verifySchnorr,
  xOnlyFromCompressed,
  xOnlyPublicKey,
} from './signatures.js';
export {
  TAPROOT_CONTROL_BASE_SIZE,
  TAPROOT_CONTROL_MAX_NODES,
  TAPSCRIPT_LEAF_VERSION,
  encodeControlBlock,
  isControlBlockSize,
  parseControlBlock,
  tapBranchHash,
  tapLeafHash,
  taprootNumsKey,
  taprootTweak,
  tweakTaprootPublicKey,
  verifyTaprootCommitment,
  type ControlBlock,
} from './taproot.js';
export {
  SIGHASH_ALL,
  SIGHASH_ANYONECANPAY,
  SIGHASH_DEFAULT,
  SIGHASH_NONE,
  SIGHASH_SINGLE,
  isDefinedEcdsaHashType,
  isTaprootHashType,
  sighashSegwitV0,
  sighashTaproot,
} from './sighash.js';
export { p2trKeyPathScriptPubKey, p2trScriptPubKey, p2wpkhScriptCode, p2wpkhScriptPubKey, p2wshScriptPubKey } from './payments.js';
export {
  MAX_FEDERATION_KEYS,
  assertFederation,
  encodeSmallNumber,
  federation,
  federationKeyIndex,
  lockControlBlock,
  lockLeafScript,
  lockScriptPubKey,
  lockSpendWitness,
  lockWitnessScript,
  type Federation,
  type LockType,
} from './lock-script.js';
export { addressToScriptPubKey, decodeSegwitAddress, encodeSegwitAddress, scriptPubKeyToAddress, type SegwitAddress } from './address.js';
export {
  MAX_MULTISIG_KEYS,
  MAX_TAPSCRIPT_MULTISIG_KEYS,
  parseMultisigTapscript,
  parseMultisigWitnessScript,
  verifyInput,
  verifyTransactionScripts,
  type MultisigTemplate,
} from './script-verify.js';
export {
  federationSighash,
  federationSignature,
  finalizeFederationSpend,
  signP2wpkhInput,
  signTaprootKeyPathInput,
  verifyFederationSignature,
  withInputWitness,
  type SchnorrSignOptions,
} from './sign-input.js';
