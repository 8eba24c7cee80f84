import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { equalBytes } from '../../proofs/bytes.js';
import { coinbaseHeight, decodeBlock, verifyBlock } from '../../proofs/bitcoin/block.js';
import { decodeHeader, headerHash } from '../../proofs/bitcoin/header.js';
import { HeaderChain } from '../../proofs/bitcoin/header-chain.js';
import { bitsToTarget, hashMeetsTarget, targetToLE } from '../../proofs/bitcoin/pow.js';
import { parseScriptPushes } from '../../proofs/bitcoin/script.js';
import { encodeHeader } from '../../proofs/bitcoin/header.js';
import { DEVNET_BITS, DEVNET_MAIN, DEVNET_MAIN_GENESIS_BLOCK, DEVNET_SIDE, DEVNET_SIDE_GENESIS_BLOCK, blockSubsidy, devnetNetwork, mainSubsidy } from './params.js';

describe('devnet networks', () => {
  for (const [role, params, block] of [
    ['main', DEVNET_MAIN, DEVNET_MAIN_GENESIS_BLOCK],
    ['side', DEVNET_SIDE, DEVNET_SIDE_GENESIS_BLOCK],
  ] as const) {
    test(`the ${role} genesis block is a valid block whose header is the params' genesis`, () => {
      const verified = verifyBlock(block, { powLimit: params.powLimit });
      assert.equal(verified.txCount, 1);
      assert.ok(equalBytes(block.subarray(0, 80), params.genesisHeader));
      const header = decodeHeader(params.genesisHeader);
      assert.equal(header.version, 1);
      assert.equal(header.time, 1_700_000_000);
      assert.equal(header.bits, DEVNET_BITS);
      const coinbase = decodeBlock(block).transactions[0]!.tx;
      const [push] = parseScriptPushes(coinbase.inputs[0]!.scriptSig);
      assert.equal(new TextDecoder().decode(push!.data), `utxo-relay devnet ${role}`);
      assert.deepEqual(coinbase.outputs.map((o) => [o.value, [...o.scriptPubKey]]), [[0n, [0x6a]]]);
      // the nonce is the first meeting the target
      const target = targetToLE(bitsToTarget(DEVNET_BITS));
      for (let nonce = 0; nonce < header.nonce; nonce++) assert.ok(!hashMeetsTarget(headerHash(encodeHeader({ ...header, nonce })), target));
      assert.ok(HeaderChain.fromGenesis(params) instanceof HeaderChain);
      assert.ok(equalBytes(devnetNetwork(role).genesisHashLE, headerHash(params.genesisHeader)));
    });
  }

  test('the two roles have different genesis blocks, names, hrps and store magics', () => {
    assert.ok(!equalBytes(DEVNET_MAIN.genesisHeader, DEVNET_SIDE.genesisHeader));
    assert.notEqual(DEVNET_MAIN.name, DEVNET_SIDE.name);
    assert.equal(devnetNetwork('main').hrp, 'udm');
    assert.equal(devnetNetwork('side').hrp, 'uds');
    assert.ok(!equalBytes(devnetNetwork('main').storeMagic, devnetNetwork('side').storeMagic));
    assert.equal(coinbaseHeight(decodeBlock(DEVNET_MAIN_GENESIS_BLOCK).transactions[0]!.tx), undefined);
    assert.throws(() => devnetNetwork('other' as 'main'), TypeError);
  });

  test('subsidy: main 50 coins halving every 150 blocks, side none', () => {
    assert.equal(mainSubsidy(0), 5_000_000_000n);
    assert.equal(mainSubsidy(149), 5_000_000_000n);
    assert.equal(mainSubsidy(150), 2_500_000_000n);
    assert.equal(mainSubsidy(300), 1_250_000_000n);
    assert.equal(mainSubsidy(150 * 64), 0n);
    assert.equal(blockSubsidy('side', 1), 0n);
    assert.equal(blockSubsidy('main', 1), 5_000_000_000n);
    assert.throws(() => mainSubsidy(-1), RangeError);
  });
});
