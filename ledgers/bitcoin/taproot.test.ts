import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { taprootNumsKey as btcSignerNumsKey } from '@scure/btc-signer';
import { tapLeafHash as btcSignerTapLeafHash } from '@scure/btc-signer/payment.js';
import { bytesToHex, hexToBytes } from '../../proofs/bytes.js';
import { sha256 } from '../../proofs/hash.js';
import { needsFixture, readFixtureJson } from '../../test/fixtures.js';
import { scriptPubKeyToAddress } from './address.js';
import { p2trScriptPubKey } from './payments.js';
import {
  encodeControlBlock,
  parseControlBlock,
  tapBranchHash,
  tapLeafHash,
  taprootNumsKey,
  taprootTweak,
  tweakTaprootPublicKey,
  verifyTaprootCommitment,
} from './taproot.js';

const BIP341 = 'bitcoin/bip341_wallet-test-vectors.json';

interface Leaf {
  id: number;
  script: string;
  leafVersion: number;
}
type Tree = Leaf | Tree[];
interface ScriptPubKeyVector {
  given: { internalPubkey: string; scriptTree: Tree | null };
  intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string; tweakedPubkey: string };
  expected: { scriptPubKey: string; bip350Address: string; scriptPathControlBlocks?: string[] };
}

/** Leaves in id order, and the tree's root hash (BIP341: a list of two is a branch). */
function walk(tree: Tree, leaves: Leaf[]): Uint8Array {
  if (!Array.isArray(tree)) {
    leaves.push(tree);
    return tapLeafHash(hexToBytes(tree.script), tree.leafVersion);
  }
  assert.equal(tree.length, 2);
  return tapBranchHash(walk(tree[0]!, leaves), walk(tree[1]!, leaves));
}

describe('BIP341 scriptPubKey vectors (wallet-test-vectors.json)', () => {
  if (needsFixture(BIP341).skip !== undefined) {
    test('BIP341 vectors', needsFixture(BIP341), () => {});
    return;
  }
  const vectors = readFixtureJson<{ scriptPubKey: ScriptPubKeyVector[] }>(BIP341).scriptPubKey;
  vectors.forEach((v, i) => {
    const internalKey = hexToBytes(v.given.internalPubkey);
    const leaves: Leaf[] = [];
    const root = v.given.scriptTree === null ? undefined : walk(v.given.scriptTree, leaves);

    test(`vector ${i}: leaf hashes, Merkle root, tweak, output key, scriptPubKey, address`, () => {
      assert.deepEqual(
        leaves.map((l) => bytesToHex(tapLeafHash(hexToBytes(l.script), l.leafVersion))),
        v.intermediary.leafHashes ?? [],
      );
      assert.equal(root === undefined ? null : bytesToHex(root), v.intermediary.merkleRoot);
      assert.equal(bytesToHex(taprootTweak(internalKey, root)), v.intermediary.tweak);
      const { outputKey } = tweakTaprootPublicKey(internalKey, root);
      assert.equal(bytesToHex(outputKey), v.intermediary.tweakedPubkey);
      const spk = p2trScriptPubKey(outputKey);
      assert.equal(bytesToHex(spk), v.expected.scriptPubKey);
      assert.equal(scriptPubKeyToAddress('bc', spk), v.expected.bip350Address);
    });

    (v.expected.scriptPathControlBlocks ?? []).forEach((hex, leafIndex) => {
      const leaf = leaves.find((l) => l.id === leafIndex)!;
      const script = hexToBytes(leaf.script);
      const outputKey = hexToBytes(v.intermediary.tweakedPubkey);
      const controlBlock = hexToBytes(hex);

      test(`vector ${i}, leaf ${leafIndex}: the control block commits the leaf to the output key`, () => {
        assert.ok(verifyTaprootCommitment(outputKey, controlBlock, script));
        const parsed = parseControlBlock(controlBlock);
        assert.equal(parsed.leafVersion, leaf.leafVersion);
        assert.equal(bytesToHex(parsed.internalKey), v.given.internalPubkey);
        assert.equal(bytesToHex(encodeControlBlock(parsed)), hex);
        assert.equal(parsed.outputKeyParity, tweakTaprootPublicKey(internalKey, root).parity);
      });

      test(`vector ${i}, leaf ${leafIndex}: a changed parity, script, internal key, path or output key breaks the commitment`, () => {
        const flipped = controlBlock.slice();
        flipped[0]! ^= 1;
        assert.equal(verifyTaprootCommitment(outputKey, flipped, script), false, 'parity');
        assert.equal(verifyTaprootCommitment(outputKey, controlBlock, Uint8Array.of(...script, 0x51)), false, 'script');
        const otherKey = controlBlock.slice();
        otherKey.set(taprootNumsKey(), 1);
        assert.equal(verifyTaprootCommitment(outputKey, otherKey, script), false, 'internal key');
        const otherVersion = controlBlock.slice();
        otherVersion[0] = (otherVersion[0]! & 1) | (leaf.leafVersion === 0xc0 ? 0xc2 : 0xc0);
        assert.equal(verifyTaprootCommitment(outputKey, otherVersion, script), false, 'leaf version');
        if (controlBlock.length > 33) {
          const otherPath = controlBlock.slice();
          otherPath[otherPath.length - 1]! ^= 1;
          assert.equal(verifyTaprootCommitment(outputKey, otherPath, script), false, 'path');
          assert.equal(verifyTaprootCommitment(outputKey, controlBlock.subarray(0, 33), script), false, 'path removed');
        }
        const otherOutput = outputKey.slice();
        otherOutput[0]! ^= 1;
        assert.equal(verifyTaprootCommitment(otherOutput, controlBlock, script), false, 'output key');
        assert.equal(verifyTaprootCommitment(outputKey, controlBlock.subarray(0, controlBlock.length - 1), script), false, 'size');
      });
    });
  });
});

describe('taproot helpers', () => {
  test("the NUMS key H is lift_x(sha256(uncompressed G)), and equals btc-signer's", () => {
    const h = taprootNumsKey();
    assert.equal(bytesToHex(h), '50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0');
    assert.deepEqual(h, sha256(secp256k1.Point.BASE.toBytes(false)));
    assert.deepEqual(h, btcSignerNumsKey());
    h[0] = 0;
    assert.equal(taprootNumsKey()[0], 0x50, 'callers get a copy');
  });

  test("tapLeafHash equals btc-signer's for scripts of every length class", () => {
    for (const length of [0, 1, 75, 252, 253, 300, 70_000]) {
      const script = new Uint8Array(length).fill(0x51);
      assert.deepEqual(tapLeafHash(script), btcSignerTapLeafHash(script));
      assert.deepEqual(tapLeafHash(script, 0xc2), btcSignerTapLeafHash(script, 0xc2));
    }
  });

  test('tapBranchHash sorts its children', () => {
    const a = sha256(Uint8Array.of(1));
    const b = sha256(Uint8Array.of(2));
    assert.deepEqual(tapBranchHash(a, b), tapBranchHash(b, a));
  });

  test('invalid leaf versions, internal keys and control-block sizes are refused', () => {
    assert.throws(() => tapLeafHash(Uint8Array.of(0x51), 0xc1), /leafVersion/);
    assert.throws(() => tapLeafHash(Uint8Array.of(0x51), 0x50), /leafVersion/);
    assert.throws(() => tweakTaprootPublicKey(hexToBytes('eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34')), /internalKey/);
    assert.throws(() => parseControlBlock(new Uint8Array(32)), /controlBlock: expected 33 \+ 32\*m bytes/);
    assert.throws(() => parseControlBlock(new Uint8Array(33 + 32 * 129)), /controlBlock/);
    assert.doesNotThrow(() => parseControlBlock(new Uint8Array(33 + 32 * 128)));
  });
});
