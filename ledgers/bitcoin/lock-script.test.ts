import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TaprootControlBlock, p2ms, p2tr, p2tr_ms, p2wsh } from '@scure/btc-signer';
import { bytesToHex, hexToBytes } from '../../proofs/bytes.js';
import { addressToScriptPubKey, scriptPubKeyToAddress } from './address.js';
import {
  assertFederation,
  federation,
  federationKeyIndex,
  lockControlBlock,
  lockLeafScript,
  lockScriptPubKey,
  lockSpendWitness,
  lockWitnessScript,
  type Federation,
} from './lock-script.js';
import { parseMultisigTapscript, parseMultisigWitnessScript } from './script-verify.js';
import { publicKeyCompressed, xOnlyFromCompressed } from './signatures.js';
import { parseControlBlock, taprootNumsKey, verifyTaprootCommitment } from './taproot.js';
import { testKey } from './test-utils.js';

const keys = (n: number, label = 'fed'): Uint8Array[] => Array.from({ length: n }, (_, i) => publicKeyCompressed(testKey(`${label} ${i}`)));

describe('federation(): validation', () => {
  const three = keys(3);
  const cases: [string, () => unknown, RegExp][] = [
    ['threshold 0', () => federation(0, three, 'taproot'), /federation threshold: expected an integer in \[1, 3\]/],
    ['threshold above N', () => federation(4, three, 'p2wsh'), /federation threshold/],
    ['fractional threshold', () => federation(1.5, three, 'taproot'), /federation threshold/],
    ['no keys', () => federation(1, [], 'taproot'), /federation publicKeys: expected 1\.\.20 keys, got 0/],
    ['21 keys', () => federation(1, keys(21), 'p2wsh'), /federation publicKeys: expected 1\.\.20 keys, got 21/],
    ['a 32-byte key', () => federation(1, [three[0]!.subarray(1)], 'taproot'), /federation publicKeys\[0\]: expected 33 bytes/],
    ['an uncompressed prefix', () => federation(1, [Uint8Array.of(0x04, ...three[0]!.subarray(1))], 'taproot'), /federation publicKeys\[0\]: not a valid compressed/],
    [
      'a point not on the curve',
      () => federation(1, [hexToBytes('02eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34')], 'p2wsh'),
      /federation publicKeys\[0\]: not a valid compressed/,
    ],
    ['a duplicated key', () => federation(2, [three[0]!, three[1]!, three[0]!], 'p2wsh'), /federation publicKeys\[2\]: is the same key as publicKeys\[0\]/],
    [
      'two keys with the same x coordinate',
      () => federation(1, [three[0]!, Uint8Array.of(three[0]![0] === 2 ? 3 : 2, ...three[0]!.subarray(1))], 'taproot'),
      /federation publicKeys\[1\]: has the same x coordinate as publicKeys\[0\]/,
    ],
    ['an unknown lock type', () => federation(1, three, 'p2sh' as 'p2wsh'), /federation lockType/],
  ];
  for (const [name, build, message] of cases) test(`refuses ${name}`, () => assert.throws(build, message));

  test('accepts 1-of-1 and 20-of-20, sorts and copies the keys, and freezes the result', () => {
    assert.equal(federation(1, keys(1), 'taproot').publicKeys.length, 1);
    const given = keys(20);
    const fed = federation(20, given, 'p2wsh');
    const sorted = [...given].sort((a, b) => bytesToHex(a).localeCompare(bytesToHex(b)));
    assert.deepEqual(fed.publicKeys, sorted);
    assert.ok(fed.publicKeys.every((k, i) => k !== sorted[i]), 'keys are copies');
    assert.ok(Object.isFrozen(fed) && Object.isFrozen(fed.publicKeys));
  });

  test('the order the keys are given in does not change the lock', () => {
    const given = keys(5);
    for (const lockType of ['taproot', 'p2wsh'] as const) {
      const a = lockScriptPubKey(federation(3, given, lockType));
      const b = lockScriptPubKey(federation(3, [...given].reverse(), lockType));
      const c = lockScriptPubKey(federation(3, [given[2]!, given[0]!, given[4]!, given[1]!, given[3]!], lockType));
      assert.deepEqual(a, b);
      assert.deepEqual(a, c);
    }
  });

  test('federationKeyIndex finds a key in sorted order', () => {
    const fed = federation(2, three, 'taproot');
    fed.publicKeys.forEach((k, i) => assert.equal(federationKeyIndex(fed, k), i));
    assert.equal(federationKeyIndex(fed, publicKeyCompressed(testKey('outsider'))), undefined);
  });

  test('a hand-made federation object is checked: unsorted keys are refused', () => {
    const sorted = federation(2, three, 'p2wsh').publicKeys;
    const handMade: Federation = { threshold: 2, publicKeys: [...sorted], lockType: 'p2wsh' };
    assert.doesNotThrow(() => assertFederation(handMade));
    const unsorted: Federation = { threshold: 2, publicKeys: [...sorted].reverse(), lockType: 'p2wsh' };
    assert.throws(() => lockScriptPubKey(unsorted), /not in canonical \(sorted\) order/);
    assert.throws(() => lockWitnessScript({ ...handMade, threshold: 4 }), /federation threshold/);
  });

  test('lock-type-specific helpers refuse the other lock type', () => {
    assert.throws(() => lockLeafScript(federation(1, three, 'p2wsh')), /needs a taproot federation/);
    assert.throws(() => lockControlBlock(federation(1, three, 'p2wsh')), /needs a taproot federation/);
    assert.throws(() => lockWitnessScript(federation(1, three, 'taproot')), /needs a p2wsh federation/);
  });
});

/** (M, N) pairs cross-checked with @scure/btc-signer's independent payment builders. */
const SHAPES: readonly [number, number][] = [
  [1, 1],
  [1, 2],
  [2, 2],
  [2, 3],
  [3, 3],
  [3, 5],
  [11, 15],
  [16, 16],
  [17, 20],
  [20, 20],
];

describe("taproot lock: cross-checked with btc-signer's p2tr_ms leaf and p2tr with the NUMS key", () => {
  for (const [m, n] of SHAPES) {
    test(`${m}-of-${n}`, () => {
      const fed = federation(m, keys(n, `tr ${m} ${n}`), 'taproot');
      const xOnly = fed.publicKeys.map(xOnlyFromCompressed);
      const leaf = p2tr_ms(m, xOnly);
      assert.equal(bytesToHex(lockLeafScript(fed)), bytesToHex(leaf.script));
      const output = p2tr(undefined, { script: leaf.script });
      assert.equal(bytesToHex(lockScriptPubKey(fed)), bytesToHex(output.script));
      assert.equal(bytesToHex(lockControlBlock(fed)), bytesToHex(TaprootControlBlock.encode(output.tapLeafScript![0]![0])));

      const template = parseMultisigTapscript(lockLeafScript(fed));
      assert.equal(template?.threshold, m);
      assert.deepEqual(template?.publicKeys, xOnly);
    });
  }

  test('the internal key is the NUMS point H, the leaf version 0xc0, and the commitment verifies', () => {
    const fed = federation(2, keys(3), 'taproot');
    const block = parseControlBlock(lockControlBlock(fed));
    assert.deepEqual(block.internalKey, taprootNumsKey());
    assert.equal(block.leafVersion, 0xc0);
    assert.deepEqual(block.path, []);
    assert.ok(verifyTaprootCommitment(lockScriptPubKey(fed).subarray(2), lockControlBlock(fed), lockLeafScript(fed)));
  });

  test('the leaf script reads <x1> CHECKSIG <x2> CHECKSIGADD <x3> CHECKSIGADD <M> NUMEQUAL', () => {
    const fed = federation(2, keys(3), 'taproot');
    const x = fed.publicKeys.map((k) => bytesToHex(k.subarray(1)));
    assert.equal(bytesToHex(lockLeafScript(fed)), `20${x[0]}ac20${x[1]}ba20${x[2]}ba529c`);
  });

  test('the lock has a bech32m address on every network', () => {
    const fed = federation(2, keys(3), 'taproot');
    const address = scriptPubKeyToAddress('bcrt', lockScriptPubKey(fed))!;
    assert.ok(address.startsWith('bcrt1p'));
    assert.deepEqual(addressToScriptPubKey('bcrt', address), lockScriptPubKey(fed));
  });
});

describe("p2wsh lock: cross-checked with btc-signer's p2wsh(p2ms(...))", () => {
  for (const [m, n] of SHAPES) {
    test(`${m}-of-${n}`, () => {
      const fed = federation(m, keys(n, `wsh ${m} ${n}`), 'p2wsh');
      const script = lockWitnessScript(fed);
      if (n <= 16) {
        const payment = p2wsh(p2ms(m, [...fed.publicKeys]));
        assert.equal(bytesToHex(script), bytesToHex(payment.witnessScript));
        assert.equal(bytesToHex(lockScriptPubKey(fed)), bytesToHex(payment.script));
      } else {
        // btc-signer's p2ms stops at 16 keys; Core's CHECKMULTISIG takes 20 with minimal pushes of M and N.
        assert.equal(script[script.length - 3], 0x01);
        assert.equal(script[script.length - 2], n);
        assert.deepEqual(script.subarray(0, m <= 16 ? 1 : 2), m <= 16 ? Uint8Array.of(0x50 + m) : Uint8Array.of(0x01, m));
      }
      const template = parseMultisigWitnessScript(script);
      assert.equal(template?.threshold, m);
      assert.deepEqual(template?.publicKeys, fed.publicKeys);
    });
  }
});

describe('lockSpendWitness', () => {
  const sig64 = (i: number): Uint8Array => new Uint8Array(64).fill(i + 1);
  const der = (i: number): Uint8Array => new Uint8Array(72).fill(i + 1);

  test('taproot: signatures in reverse key order, empty items for non-signers, then leaf script and control block', () => {
    const fed = federation(2, keys(3), 'taproot');
    const witness = lockSpendWitness(fed, [sig64(0), undefined, sig64(2)]);
    assert.deepEqual(witness, [sig64(2), new Uint8Array(0), sig64(0), lockLeafScript(fed), lockControlBlock(fed)]);
  });

  test('p2wsh: the empty dummy, signatures in key order, then the witness script', () => {
    const fed = federation(2, keys(3), 'p2wsh');
    const witness = lockSpendWitness(fed, [undefined, der(1), der(2)]);
    assert.deepEqual(witness, [new Uint8Array(0), der(1), der(2), lockWitnessScript(fed)]);
  });

  test('exactly M signatures, one entry per key, signatures of a plausible size', () => {
    const tr = federation(2, keys(3), 'taproot');
    assert.throws(() => lockSpendWitness(tr, [sig64(0), undefined, undefined]), /expected exactly 2 signatures/);
    assert.throws(() => lockSpendWitness(tr, [sig64(0), sig64(1), sig64(2)]), /expected exactly 2 signatures/);
    assert.throws(() => lockSpendWitness(tr, [sig64(0), sig64(1)]), /expected 3 entries/);
    assert.throws(() => lockSpendWitness(tr, [sig64(0), new Uint8Array(63), undefined]), /signatures\[1\]: expected 64 or 65 bytes/);
    const wsh = federation(2, keys(3), 'p2wsh');
    assert.throws(() => lockSpendWitness(wsh, [der(0), new Uint8Array(74), undefined]), /signatures\[1\]: expected 9\.\.73 bytes/);
  });
});
