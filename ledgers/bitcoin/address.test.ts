import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../proofs/bytes.js';
import { addressToScriptPubKey, decodeSegwitAddress, encodeSegwitAddress, scriptPubKeyToAddress } from './address.js';
import { AddressError, type AddressErrorCode } from './errors.js';

/**
 * Valid segwit addresses and the scriptPubKeys they stand for: BIP350's list ("Test vectors for
 * v0-v16 native segregated witness addresses", https://github.com/bitcoin/bips/blob/master/bip-0350.mediawiki),
 * which supersedes BIP173's (its v1+ entries now use bech32m).
 */
const VALID: readonly [string, string][] = [
  ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', '0014751e76e8199196d454941c45d1b3a323f1433bd6'],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262'],
  [
    'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
    '5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6',
  ],
  ['BC1SW50QGDZ25J', '6002751e'],
  ['bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', '5210751e76e8199196d454941c45d1b3a323'],
  ['tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy', '0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433'],
  ['tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c', '5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433'],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'],
];

/**
 * Invalid addresses, each with the HRP it was meant for, the reason the BIP gives, and the code
 * we report. From BIP350 ("invalid segwit addresses") and BIP173
 * (https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki, "invalid segwit addresses"),
 * plus BIP173's v1+ valid addresses, which BIP350 made invalid (bech32 checksum on v1+).
 */
const INVALID: readonly [source: string, address: string, hrp: string, reason: string, code: AddressErrorCode][] = [
  ['BIP350', 'tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', 'bc', 'invalid human-readable part', 'ADDRESS_WRONG_HRP'],
  ['BIP350', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'bc', 'bech32 instead of bech32m', 'ADDRESS_WRONG_ENCODING'],
  ['BIP350', 'tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf', 'tb', 'bech32 instead of bech32m', 'ADDRESS_WRONG_ENCODING'],
  ['BIP350', 'BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', 'bc', 'bech32 instead of bech32m', 'ADDRESS_WRONG_ENCODING'],
  ['BIP350', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', 'bc', 'bech32m instead of bech32', 'ADDRESS_WRONG_ENCODING'],
  ['BIP350', 'tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47', 'tb', 'bech32m instead of bech32', 'ADDRESS_WRONG_ENCODING'],
  ['BIP350', 'bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', 'bc', 'invalid character in checksum', 'ADDRESS_MALFORMED'],
  ['BIP350', 'BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', 'bc', 'invalid witness version', 'ADDRESS_BAD_VERSION'],
  ['BIP350', 'bc1pw5dgrnzv', 'bc', 'invalid program length (1 byte)', 'ADDRESS_BAD_PROGRAM'],
  ['BIP350', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', 'bc', 'invalid program length (41 bytes)', 'ADDRESS_BAD_PROGRAM'],
  ['BIP350', 'BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'bc', 'invalid program length for witness version 0', 'ADDRESS_BAD_PROGRAM'],
  ['BIP350', 'tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', 'tb', 'mixed case', 'ADDRESS_MIXED_CASE'],
  ['BIP350', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', 'bc', 'zero padding of more than 4 bits', 'ADDRESS_MALFORMED'],
  ['BIP350', 'tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j', 'tb', 'non-zero padding in 8-to-5 conversion', 'ADDRESS_MALFORMED'],
  ['BIP350', 'bc1gmk9yu', 'bc', 'empty data section', 'ADDRESS_MALFORMED'],
  ['BIP173', 'tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty', 'bc', 'invalid human-readable part', 'ADDRESS_WRONG_HRP'],
  ['BIP173', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'bc', 'invalid checksum', 'ADDRESS_BAD_CHECKSUM'],
  ['BIP173', 'BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2', 'bc', 'invalid witness version', 'ADDRESS_BAD_VERSION'],
  ['BIP173', 'bc1rw5uspcuh', 'bc', 'invalid program length', 'ADDRESS_BAD_PROGRAM'],
  ['BIP173', 'bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90', 'bc', 'invalid program length', 'ADDRESS_BAD_PROGRAM'],
  ['BIP173', 'BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'bc', 'invalid program length for witness version 0', 'ADDRESS_BAD_PROGRAM'],
  ['BIP173', 'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7', 'tb', 'mixed case', 'ADDRESS_MIXED_CASE'],
  ['BIP173', 'bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du', 'bc', 'zero padding of more than 4 bits', 'ADDRESS_MALFORMED'],
  ['BIP173', 'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv', 'tb', 'non-zero padding in 8-to-5 conversion', 'ADDRESS_MALFORMED'],
  ['BIP173', 'bc1gmk9yu', 'bc', 'empty data section', 'ADDRESS_MALFORMED'],
  ['BIP173 valid, BIP350 invalid', 'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx', 'bc', 'v1 with bech32', 'ADDRESS_WRONG_ENCODING'],
  ['BIP173 valid, BIP350 invalid', 'BC1SW50QA3JX3S', 'bc', 'v16 with bech32', 'ADDRESS_WRONG_ENCODING'],
  ['BIP173 valid, BIP350 invalid', 'bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj', 'bc', 'v2 with bech32', 'ADDRESS_WRONG_ENCODING'],
];

function hrpOf(address: string): string {
  return address.slice(0, address.lastIndexOf('1')).toLowerCase();
}

describe('valid segwit addresses (BIP350)', () => {
  for (const [address, spk] of VALID) {
    test(address, () => {
      const hrp = hrpOf(address);
      assert.equal(bytesToHex(addressToScriptPubKey(hrp, address)), spk);
      assert.equal(scriptPubKeyToAddress(hrp, hexToBytes(spk)), address.toLowerCase());
      const { version, program } = decodeSegwitAddress(hrp, address);
      assert.equal(encodeSegwitAddress(hrp, version, program), address.toLowerCase());
      assert.throws(() => decodeSegwitAddress(hrp === 'bc' ? 'tb' : 'bc', address), (e: unknown) => e instanceof AddressError && e.code === 'ADDRESS_WRONG_HRP');
    });
  }
});

describe('invalid segwit addresses (BIP173, BIP350)', () => {
  for (const [source, address, hrp, reason, code] of INVALID) {
    test(`${source}: ${address} (${reason})`, () => {
      assert.throws(
        () => decodeSegwitAddress(hrp, address),
        (e: unknown) => e instanceof AddressError && e.code === code && e.details['address'] === address,
      );
      // Refused for any network.
      for (const other of ['bc', 'tb', 'bcrt']) assert.throws(() => addressToScriptPubKey(other, address), AddressError);
    });
  }
});

describe('segwit address edge cases', () => {
  test('refuses more than 90 characters, characters outside the charset and a missing separator', () => {
    const long = encodeSegwitAddress('bc', 1, new Uint8Array(40));
    assert.throws(() => decodeSegwitAddress('bc', long + 'q'.repeat(90 - long.length + 1)), (e: unknown) => e instanceof AddressError && e.code === 'ADDRESS_MALFORMED');
    assert.throws(() => decodeSegwitAddress('bc', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb'), (e: unknown) => e instanceof AddressError && e.code === 'ADDRESS_MALFORMED');
    assert.throws(() => decodeSegwitAddress('bc', 'qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'), (e: unknown) => e instanceof AddressError && e.code === 'ADDRESS_MALFORMED');
    assert.throws(() => decodeSegwitAddress('bc', 'bc1 w508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4'), (e: unknown) => e instanceof AddressError && e.code === 'ADDRESS_MALFORMED');
  });

  test('the regtest HRP works, and HRPs compare case-insensitively', () => {
    const program = new Uint8Array(32).fill(7);
    const address = encodeSegwitAddress('bcrt', 1, program);
    assert.ok(address.startsWith('bcrt1p'));
    assert.deepEqual(decodeSegwitAddress('BCRT', address.toUpperCase()).program, program);
  });

  test('encoding refuses what no valid address can hold', () => {
    assert.throws(() => encodeSegwitAddress('bc', 17, new Uint8Array(32)), /version/);
    assert.throws(() => encodeSegwitAddress('bc', 0, new Uint8Array(21)), /program: witness v0 program of 21 bytes/);
    assert.throws(() => encodeSegwitAddress('bc', 1, new Uint8Array(41)), /program: witness program of 41 bytes/);
    assert.throws(() => encodeSegwitAddress('', 0, new Uint8Array(20)), /hrp/);
    assert.throws(() => encodeSegwitAddress('Bc', 0, new Uint8Array(20)), /hrp: mixed case/);
  });

  test('scripts that are not witness programs have no address', () => {
    const nonWitness = [
      '76a914751e76e8199196d454941c45d1b3a323f1433bd688ac', // P2PKH
      'a914751e76e8199196d454941c45d1b3a323f1433bd687', // P2SH
      '6a0401020304', // OP_RETURN
      '0015751e76e8199196d454941c45d1b3a323f1433bd600', // v0 with 21 bytes
      '51', // OP_TRUE
    ];
    for (const hex of nonWitness) assert.equal(scriptPubKeyToAddress('bc', hexToBytes(hex)), undefined, hex);
  });

  test('non-string addresses are a TypeError', () => {
    assert.throws(() => decodeSegwitAddress('bc', 5 as unknown as string), TypeError);
  });
});
