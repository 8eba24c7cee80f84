/**
 * Taproot commitments (BIP341): leaf and branch hashes, the output-key tweak, control blocks, and
 * the check that a script leaf is committed to by an output key. The point arithmetic is
 * @scure/btc-signer's `taprootTweakPubkey` (over @noble/curves); hashes are BIP340 tagged hashes.
 */
import { utils as btcUtils } from '@scure/btc-signer';
import { ByteWriter } from '../../proofs/byte-writer.js';
import { assertBytes, assertInteger, concatBytes, equalBytes, hexToBytes } from '../../proofs/bytes.js';
import { isValidXOnlyPublicKey, taggedHash } from './signatures.js';

/** The leaf version of BIP342 tapscript. */
export const TAPSCRIPT_LEAF_VERSION = 0xc0;
/** Control blocks hold at most this many Merkle path nodes (BIP341's TAPROOT_CONTROL_MAX_NODE_COUNT). */
export const TAPROOT_CONTROL_MAX_NODES = 128;
/** Size of a control block without path nodes. */
export const TAPROOT_CONTROL_BASE_SIZE = 33;

/**
 * BIP341's NUMS point H: lift_x(sha256(uncompressed G)), an x-only key nobody knows the private
 * key of. An output whose internal key is H can only be spent through its script tree.
 */
const NUMS_KEY = hexToBytes('50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0');

/** A copy of BIP341's NUMS x-only key H (50929b74...803ac0). */
export function taprootNumsKey(): Uint8Array {
  return NUMS_KEY.slice();
}

/** A parsed control block (BIP341 script path). */
export interface ControlBlock {
  /** The leaf version (first byte with the parity bit cleared), 0xc0 for tapscript. */
  readonly leafVersion: number;
  /** Parity of the output key's y coordinate (0 even, 1 odd): the first byte's low bit. */
  readonly outputKeyParity: 0 | 1;
  /** The 32-byte x-only internal key. */
  readonly internalKey: Uint8Array;
  /** The Merkle path from the leaf up to the root, 32 bytes a node (empty for a single leaf). */
  readonly path: readonly Uint8Array[];
}

/** `TapLeaf` tagged hash of a script with its leaf version (even, not 0x50, at most 0xfe). */
export function tapLeafHash(script: Uint8Array, leafVersion: number = TAPSCRIPT_LEAF_VERSION): Uint8Array {
  assertBytes(script, undefined, 'script');
  assertLeafVersion(leafVersion);
  const body = new ByteWriter(script.length + 6).u8(leafVersion).varBytes(script).finish();
  return taggedHash('TapLeaf', body);
}

/** `TapBranch` tagged hash of two child hashes, in lexicographic order as BIP341 requires. */
export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  assertBytes(a, 32, 'a');
  assertBytes(b, 32, 'b');
  return compare(a, b) <= 0 ? taggedHash('TapBranch', a, b) : taggedHash('TapBranch', b, a);
}

/** The tweak hash `TapTweak(internalKey || merkleRoot)`; without a root, of the key alone (BIP86). */
export function taprootTweak(internalKey: Uint8Array, merkleRoot?: Uint8Array): Uint8Array {
  assertBytes(internalKey, 32, 'internalKey');
  if (merkleRoot !== undefined) assertBytes(merkleRoot, 32, 'merkleRoot');
  return taggedHash('TapTweak', internalKey, merkleRoot ?? new Uint8Array(0));
}

/**
 * BIP341 `taproot_tweak_pubkey`: the x-only output key Q = P + tweak·G and its parity, for the
 * internal key P and a script tree's Merkle root (none: a key-path-only output, as BIP86).
 * Throws RangeError when P is not a valid x coordinate (or, with negligible probability, the
 * tweak is not below the curve order).
 */
export function tweakTaprootPublicKey(internalKey: Uint8Array, merkleRoot?: Uint8Array): { outputKey: Uint8Array; parity: 0 | 1 } {
  assertBytes(internalKey, 32, 'internalKey');
  if (merkleRoot !== undefined) assertBytes(merkleRoot, 32, 'merkleRoot');
  if (!isValidXOnlyPublicKey(internalKey)) throw new RangeError('internalKey: not the x coordinate of a curve point');
  let result: [Uint8Array, number];
  try {
    result = btcUtils.taprootTweakPubkey(internalKey, merkleRoot ?? new Uint8Array(0));
  } catch (cause) {
    throw new RangeError('internalKey: the tweaked key is not valid', { cause });
  }
  return { outputKey: result[0], parity: result[1] === 1 ? 1 : 0 };
}

/** Serializes a control block: `(leafVersion | parity) || internalKey || path...`. */
export function encodeControlBlock(block: ControlBlock): Uint8Array {
  assertLeafVersion(block.leafVersion);
  if (block.outputKeyParity !== 0 && block.outputKeyParity !== 1) throw new RangeError('controlBlock.outputKeyParity: expected 0 or 1');
  assertBytes(block.internalKey, 32, 'controlBlock.internalKey');
  if (block.path.length > TAPROOT_CONTROL_MAX_NODES) {
    throw new RangeError(`controlBlock.path: at most ${TAPROOT_CONTROL_MAX_NODES} nodes, got ${block.path.length}`);
  }
  block.path.forEach((node, i) => assertBytes(node, 32, `controlBlock.path[${i}]`));
  return concatBytes(Uint8Array.of(block.leafVersion | block.outputKeyParity), block.internalKey, ...block.path);
}

/** True when `bytes` has a control block's size: 33 + 32·m bytes with m <= 128. */
export function isControlBlockSize(bytes: Uint8Array): boolean {
  assertBytes(bytes, undefined, 'controlBlock');
  const extra = bytes.length - TAPROOT_CONTROL_BASE_SIZE;
  return extra >= 0 && extra % 32 === 0 && extra / 32 <= TAPROOT_CONTROL_MAX_NODES;
}

/** Parses a control block; RangeError when its size is not 33 + 32·m (m <= 128). Parts are copies. */
export function parseControlBlock(bytes: Uint8Array): ControlBlock {
  if (!isControlBlockSize(bytes)) {
    throw new RangeError(`controlBlock: expected 33 + 32*m bytes (m <= ${TAPROOT_CONTROL_MAX_NODES}), got ${bytes.length}`);
  }
  const path: Uint8Array[] = [];
  for (let offset = TAPROOT_CONTROL_BASE_SIZE; offset < bytes.length; offset += 32) path.push(bytes.slice(offset, offset + 32));
  return {
    leafVersion: bytes[0]! & 0xfe,
    outputKeyParity: (bytes[0]! & 1) === 1 ? 1 : 0,
    internalKey: bytes.slice(1, 33),
    path,
  };
}

/**
 * BIP341's script-path commitment check (Core's `VerifyTaprootCommitment`): the leaf
 * (`script` under the control block's leaf version), hashed up the control block's path and
 * tweaked into its internal key, gives exactly `outputKey` with the control block's parity.
 * False for any mismatch, an internal key that is not a curve point, or a malformed control block.
 */
export function verifyTaprootCommitment(outputKey: Uint8Array, controlBlock: Uint8Array, script: Uint8Array): boolean {
  assertBytes(outputKey, 32, 'outputKey');
  assertBytes(controlBlock, undefined, 'controlBlock');
  assertBytes(script, undefined, 'script');
  if (!isControlBlockSize(controlBlock)) return false;
  const block = parseControlBlock(controlBlock);
  // BIP341 forbids leaf version 0x50 (it would read as an annex); every other even version can
  // be committed to (unknown ones are upgrade hooks that the verifier refuses as non-standard).
  if (block.leafVersion === 0x50) return false;
  let node = tapLeafHash(script, block.leafVersion);
  for (const sibling of block.path) node = tapBranchHash(node, sibling);
  if (!isValidXOnlyPublicKey(block.internalKey)) return false;
  let tweaked: { outputKey: Uint8Array; parity: 0 | 1 };
  try {
    tweaked = tweakTaprootPublicKey(block.internalKey, node);
  } catch {
    return false;
  }
  return equalBytes(tweaked.outputKey, outputKey) && tweaked.parity === block.outputKeyParity;
}

function assertLeafVersion(leafVersion: number): void {
  assertInteger(leafVersion, 0, 0xfe, 'leafVersion');
  if (leafVersion % 2 !== 0 || leafVersion === 0x50) throw new RangeError(`leafVersion: expected an even byte other than 0x50, got 0x${leafVersion.toString(16)}`);
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
