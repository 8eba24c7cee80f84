import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeSegwitAddress } from '../../bitcoin/address.js';
import { descriptorChecksum, descriptorScript, inferDescriptor, withChecksum } from './descriptor.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

describe('descriptors', () => {
  test('BIP380 checksum vector: raw(deadbeef)#89f8spxm', () => {
    assert.equal(descriptorChecksum('raw(deadbeef)'), '89f8spxm');
    assert.equal(withChecksum('raw(deadbeef)'), 'raw(deadbeef)#89f8spxm');
  });

  test('raw() with and without checksum; a wrong checksum is named', () => {
    assert.deepEqual(descriptorScript('raw(deadbeef)', 'bc'), hex('deadbeef'));
    assert.deepEqual(descriptorScript('raw(deadbeef)#89f8spxm', 'bc'), hex('deadbeef'));
    assert.throws(() => descriptorScript('raw(deadbeef)#89f8spxn', 'bc'), /Provided checksum '89f8spxn' does not match computed checksum '89f8spxm'/);
    assert.throws(() => descriptorScript('raw(deadbeef)#89f8', 'bc'), /Expected 8 character checksum, not 4 characters/);
    assert.throws(() => descriptorScript('raw(xyz)', 'bc'), /Raw script is not hex/);
  });

  test('addr() decodes with the chain hrp and refuses another network', () => {
    const program = hex('751e76e8199196d454941c45d1b3a323f1433bd6');
    const address = encodeSegwitAddress('udm', 0, program);
    assert.deepEqual(descriptorScript(`addr(${address})`, 'udm'), hex('0014751e76e8199196d454941c45d1b3a323f1433bd6'));
    assert.throws(() => descriptorScript(`addr(${address})`, 'uds'), /Address is not valid/);
  });

  test('other descriptor functions are refused with a clear message', () => {
    assert.throws(() => descriptorScript('wpkh(02aa)', 'bc'), /only raw\(<hex>\) and addr\(<address>\)/);
  });

  test('inferred descriptors: addr for segwit v0, rawtr for taproot, raw for OP_RETURN, none for legacy', () => {
    const wpkh = hex('0014751e76e8199196d454941c45d1b3a323f1433bd6');
    assert.equal(inferDescriptor(wpkh, 'bc'), withChecksum('addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)'));
    // BIP341 vector output key (valid x-only point)
    const key = '53a1f6e454df1aa2776a2814a721372d6258050de330b3c6d10ee8f4e0dda343';
    assert.equal(inferDescriptor(hex(`5120${key}`), 'bc'), withChecksum(`rawtr(${key})`));
    assert.equal(inferDescriptor(hex('6a0401020304'), 'bc'), withChecksum('raw(6a0401020304)'));
    assert.equal(inferDescriptor(hex('76a91489abcdefabbaabbaabbaabbaabbaabbaabbaabba88ac'), 'bc'), undefined);
  });
});
