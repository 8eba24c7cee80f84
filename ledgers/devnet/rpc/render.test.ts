/**
 * The transaction and block renderers on real mainnet data: the genesis block (whose getblock
 * answer is well known), a segwit block, and block 413567 (1557 transactions), with output types
 * and addresses cross-checked against @scure/btc-signer, an implementation this project did not
 * write.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Address, NETWORK, OutScript } from '@scure/btc-signer';
import { hashToDisplay } from '../../../proofs/bytes.js';
import { decodeBlock } from '../../../proofs/bitcoin/block.js';
import { workForBits } from '../../../proofs/bitcoin/pow.js';
import { needsFixture, readFixture, readFixtureJson } from '../../../test/fixtures.js';
import type { BlockInfo } from '../chain-api.js';
import { encodeJson } from './json.js';
import { renderBlock, renderScriptPubKey, renderTransaction } from './render.js';

const BLOCKS = 'bitcoin/bitcoinjs_block.json';
const BLOCK_413567 = 'bitcoin/block413567.raw';

interface FixtureBlock {
  description: string;
  id: string;
  hex: string;
  size?: number;
  strippedSize?: number;
  weight?: number;
}

function fixtureBlock(description: string): Uint8Array {
  const blocks = readFixtureJson<{ valid: FixtureBlock[] }>(BLOCKS).valid;
  const block = blocks.find((b) => b.description === description);
  assert.ok(block, description);
  return Uint8Array.from(Buffer.from(block.hex, 'hex'));
}

/** Parses what the server would send, so amounts are compared as the client sees them. */
function asClientSees(value: Parameters<typeof encodeJson>[0]): unknown {
  return JSON.parse(encodeJson(value));
}

function blockInfo(raw: Uint8Array, height: number): BlockInfo {
  const block = decodeBlock(raw);
  const stripped = block.transactions.reduce((sum, t) => sum + t.strippedSize, 80 + 1);
  return {
    hashLE: block.hashLE,
    height,
    header80: block.header80,
    chainWork: workForBits(block.header.bits),
    prevHashLE: block.header.prevHashLE,
    medianTime: block.header.time,
    txCount: block.transactions.length,
    size: raw.length,
    strippedSize: stripped,
    weight: block.weight,
    status: 'active',
  };
}

const SCURE_TYPES: Record<string, string> = {
  pkh: 'pubkeyhash',
  sh: 'scripthash',
  wpkh: 'witness_v0_keyhash',
  wsh: 'witness_v0_scripthash',
  tr: 'witness_v1_taproot',
  pk: 'pubkey',
  ms: 'multisig',
};

function crossCheckOutputs(raw: Uint8Array): number {
  let checked = 0;
  for (const tx of decodeBlock(raw).transactions) {
    for (const output of tx.tx.outputs) {
      const ours = renderScriptPubKey(output.scriptPubKey, 'bc') as { type: string; address?: string };
      let theirs: { type: string } | undefined;
      try {
        theirs = OutScript.decode(output.scriptPubKey);
      } catch {
        theirs = undefined;
      }
      const expected = theirs === undefined ? 'nonstandard' : (SCURE_TYPES[theirs.type] ?? (output.scriptPubKey[0] === 0x6a ? 'nulldata' : 'nonstandard'));
      assert.equal(ours.type, expected, Buffer.from(output.scriptPubKey).toString('hex'));
      if (theirs !== undefined && ['wpkh', 'wsh', 'tr'].includes(theirs.type)) {
        assert.equal(ours.address, Address(NETWORK).encode(theirs as Parameters<ReturnType<typeof Address>['encode']>[0]));
      }
      checked++;
    }
  }
  return checked;
}

describe('RPC renderers on mainnet blocks', () => {
  test('genesis block: getblock verbosity 2 as Core answers it', needsFixture(BLOCKS), () => {
    const raw = fixtureBlock('Genesis Block');
    const info = blockInfo(raw, 0);
    const block = decodeBlock(raw);
    const json = asClientSees(renderBlock(info, info, block.transactions, 2, 'bc', () => undefined)) as Record<string, unknown>;
    const tx = (json['tx'] as Record<string, unknown>[])[0]!;
    assert.deepEqual({ ...json, tx: undefined }, {
      hash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
      confirmations: 1,
      height: 0,
      version: 1,
      versionHex: '00000001',
      merkleroot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      time: 1231006505,
      mediantime: 1231006505,
      nonce: 2083236893,
      bits: '1d00ffff',
      target: '00000000ffff0000000000000000000000000000000000000000000000000000',
      difficulty: 1,
      chainwork: '0000000000000000000000000000000000000000000000000000000100010001',
      nTx: 1,
      strippedsize: 285,
      size: 285,
      weight: 1140,
      tx: undefined,
    });
    const key = '04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f';
    assert.deepEqual(tx, {
      txid: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      hash: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      version: 1,
      size: 204,
      vsize: 204,
      weight: 816,
      locktime: 0,
      vin: [
        {
          coinbase: '04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73',
          sequence: 4294967295,
        },
      ],
      vout: [{ value: 50, n: 0, scriptPubKey: { asm: `${key} OP_CHECKSIG`, desc: (tx['vout'] as { scriptPubKey: { desc: string } }[])[0]!.scriptPubKey.desc, hex: `41${key}ac`, type: 'pubkey' } }],
      hex: Buffer.from(raw.subarray(81)).toString('hex'),
    });
    assert.match((tx['vout'] as { scriptPubKey: { desc: string } }[])[0]!.scriptPubKey.desc, new RegExp(`^pk\\(${key}\\)#[a-z0-9]{8}$`));
    // The amount is written with 8 decimals, not as a float's shortest form.
    assert.match(encodeJson(renderTransaction(block.transactions[0]!, 'bc', { includeHex: false })), /"value":50\.00000000,/);
  });

  test('segwit block: txid vs hash, witness, sizes as the fixture states, types and addresses as btc-signer', needsFixture(BLOCKS), () => {
    const raw = fixtureBlock('Block with witness commit');
    const fixture = readFixtureJson<{ valid: FixtureBlock[] }>(BLOCKS).valid.find((b) => b.description === 'Block with witness commit')!;
    const info = blockInfo(raw, 542213);
    assert.equal(info.weight, fixture.weight);
    assert.equal(info.strippedSize, fixture.strippedSize);
    const block = decodeBlock(raw);
    const json = asClientSees(renderBlock(info, info, block.transactions, 2, 'bc', () => undefined)) as { hash: string; size: number; weight: number; tx: Record<string, unknown>[] };
    assert.equal(json.hash, fixture.id);
    assert.equal(json.size, fixture.size);
    const withWitness = json.tx.filter((t) => t['txid'] !== t['hash']);
    assert.ok(withWitness.length > 0);
    for (const t of json.tx) {
      const vin = t['vin'] as { txinwitness?: string[] }[];
      assert.equal(t['txid'] !== t['hash'], vin.some((i) => i.txinwitness !== undefined));
      assert.equal(t['vsize'], Math.ceil((t['weight'] as number) / 4));
    }
    assert.deepEqual(json.tx.map((t) => t['txid']), block.transactions.map((t) => hashToDisplay(t.txidLE)));
    assert.ok(crossCheckOutputs(raw) > 0);
  });

  test('block 413567: P2PKH spends show [ALL] signatures; every output type agrees with btc-signer', needsFixture(BLOCK_413567), () => {
    const raw = Uint8Array.from(readFixture(BLOCK_413567));
    const block = decodeBlock(raw);
    type Rendered = { vin: { scriptSig: { asm: string } }[] };
    assert.ok(block.transactions.slice(1).some((t) => (renderTransaction(t, 'bc', { includeHex: false }) as Rendered).vin.some((i) => i.scriptSig.asm.includes('[ALL]'))));
    assert.equal(crossCheckOutputs(raw), block.transactions.reduce((n, t) => n + t.tx.outputs.length, 0));
  });

  test('fee and prevout appear only when every spent output is known', needsFixture(BLOCKS), () => {
    const raw = fixtureBlock('Block with witness commit');
    const tx = decodeBlock(raw).transactions[1]!;
    const prevouts = tx.tx.inputs.map(() => ({ output: { value: 1_000_000n, scriptPubKey: Uint8Array.of(0x51) }, height: 5, coinbase: false }));
    const outTotal = tx.tx.outputs.reduce((s, o) => s + o.value, 0n);
    const json = asClientSees(renderTransaction(tx, 'bc', { includeHex: true, prevouts, withPrevouts: true })) as { fee: number; vin: { prevout: unknown }[] };
    assert.equal(Math.round(json.fee * 1e8), Number(1_000_000n * BigInt(tx.tx.inputs.length) - outTotal));
    assert.deepEqual(json.vin[0]!.prevout, { generated: false, height: 5, value: 0.01, scriptPubKey: { asm: '1', desc: json.vin[0] && (json.vin[0].prevout as { scriptPubKey: { desc: string } }).scriptPubKey.desc, hex: '51', type: 'nonstandard' } });
    const without = asClientSees(renderTransaction(tx, 'bc', { includeHex: true, prevouts: prevouts.slice(1) })) as Record<string, unknown>;
    assert.equal(without['fee'], undefined);
  });
});
