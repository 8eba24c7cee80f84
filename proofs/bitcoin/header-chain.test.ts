import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { displayToHash, hashToDisplay, hexToBytes } from '../bytes.js';
import { readFixtureText, needsFixture } from '../../test/fixtures.js';
import { parseCheckpoints } from './checkpoints.js';
import { encodeHeader, decodeHeader, headerHash } from './header.js';
import { HeaderChain } from './header-chain.js';
import { nextRetargetBits } from './difficulty.js';
import { MAINNET, REGTEST, TESTNET3, TESTNET4, type NetworkParams } from './params.js';
import { bitsToTarget, hashMeetsTarget, targetToBits, targetToLE } from './pow.js';
import { codeOf } from '../../test/proof-assert.js';

const MAINNET_RUN = 'bitcoin/btcrelay_mainnet_headers_bh80_100k.txt';
const CHECKPOINTS = 'bitcoin/bitcoinj_org.bitcoin.production.checkpoints.txt';
const TESTNET3_RUN = 'bitcoin/blockheader_testnet3.hex';
/** A clock far after every fixture, so the 2-hour rule never fires by accident. */
const LATE = { now: () => 2_000_000_000 };

function mainnetRun(): Uint8Array[] {
  return readFixtureText(MAINNET_RUN).trim().split('\n').map((l) => hexToBytes(l.trim()));
}

function checkpointAt(height: number) {
  const cp = parseCheckpoints(readFixtureText(CHECKPOINTS)).find((c) => c.height === height);
  assert.ok(cp, `checkpoint ${height}`);
  return cp;
}

/** A regtest-difficulty genesis header at `time`, for test networks whose first period starts now. */
function mineGenesis(time: number): Uint8Array {
  const targetLE = targetToLE(bitsToTarget(0x207fffff));
  for (let nonce = 0; ; nonce++) {
    const header80 = encodeHeader({ version: 1, prevHashLE: new Uint8Array(32), merkleRootLE: new Uint8Array(32), time, bits: 0x207fffff, nonce });
    if (hashMeetsTarget(headerHash(header80), targetLE)) return header80;
  }
}

/** Mines a regtest header on `prev` (regtest difficulty: a few tries). */
function mine(prev: Uint8Array, time: number, opts: { version?: number; bits?: number; tag?: number } = {}): Uint8Array {
  const bits = opts.bits ?? 0x207fffff;
  const targetLE = targetToLE(bitsToTarget(bits));
  const merkleRootLE = new Uint8Array(32);
  merkleRootLE[0] = opts.tag ?? 0;
  for (let nonce = 0; ; nonce++) {
    const header80 = encodeHeader({ version: opts.version ?? 0x20000000, prevHashLE: headerHash(prev), merkleRootLE, time, bits, nonce });
    if (hashMeetsTarget(headerHash(header80), targetLE)) return header80;
  }
}

describe('genesis headers', () => {
  const known: [string, typeof MAINNET, string][] = [
    ['mainnet', MAINNET, '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'],
    ['testnet3', TESTNET3, '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943'],
    ['testnet4', TESTNET4, '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043'],
    ['regtest', REGTEST, '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206'],
  ];
  for (const [name, params, hash] of known) {
    test(`${name} genesis hashes to ${hash.slice(0, 16)}...`, () => {
      assert.equal(hashToDisplay(headerHash(params.genesisHeader)), hash);
      const chain = HeaderChain.fromGenesis(params);
      assert.equal(chain.tipHeight, 0);
      assert.equal(hashToDisplay(chain.tip.hashLE), hash);
    });
  }
});

describe('mainnet 80640..100000 from a checkpoint anchor', needsFixture(MAINNET_RUN), () => {
  test('accepts every header, checks 9 retargets, ends at block 100000 with the checkpointed chain work', { ...needsFixture(CHECKPOINTS) }, () => {
    const headers = mainnetRun();
    const anchor = checkpointAt(80640);
    assert.deepEqual(anchor.header80, headers[80640 - 80001]);
    const chain = HeaderChain.fromAnchor(MAINNET, anchor, LATE);
    let retargets = 0;
    for (let h = 80641; h <= 100000; h++) {
      const header = headers[h - 80001]!;
      const result = chain.add(header);
      assert.equal(result.status, 'extended', `height ${h}`);
      if (h % 2016 === 0 && decodeHeader(header).bits !== decodeHeader(headers[h - 80002]!).bits) retargets++;
    }
    assert.equal(retargets, 9);
    assert.equal(chain.tipHeight, 100000);
    assert.equal(hashToDisplay(chain.tip.hashLE), '000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506');
    const cp = checkpointAt(98784);
    assert.equal(chain.chainWorkOf(headerHash(cp.header80)), cp.chainWork, 'chain work at 98784 equals the checkpoint file');
    assert.equal(chain.confirmations(headerHash(cp.header80)), 100000 - 98784 + 1);
    assert.equal(hashToDisplay(chain.hashAtHeight(98784)!), hashToDisplay(headerHash(cp.header80)));
  });

  test('a retarget header carrying the previous period\'s bits fails (its hash changes, so PoW fails first)', { ...needsFixture(CHECKPOINTS) }, () => {
    const headers = mainnetRun();
    const chain = HeaderChain.fromAnchor(MAINNET, checkpointAt(80640), LATE);
    for (let h = 80641; h < 82656; h++) chain.add(headers[h - 80001]!);
    const real = decodeHeader(headers[82656 - 80001]!);
    const stale = encodeHeader({ ...real, bits: decodeHeader(headers[82655 - 80001]!).bits });
    assert.equal(codeOf(() => chain.add(stale)), 'HEADER_BAD_POW');
    assert.equal(chain.add(headers[82656 - 80001]!).status, 'extended');
  });

  test('property: every single-bit change of a valid header is refused, and leaves the chain as it was', { ...needsFixture(CHECKPOINTS) }, () => {
    const headers = mainnetRun();
    const chain = HeaderChain.fromAnchor(MAINNET, checkpointAt(80640), LATE);
    const valid = headers[80641 - 80001]!;
    const codes = new Set<string>();
    for (let bit = 0; bit < 80 * 8; bit++) {
      const mutated = valid.slice();
      mutated[bit >> 3] = mutated[bit >> 3]! ^ (1 << (bit & 7));
      const code = codeOf(() => chain.add(mutated));
      assert.notEqual(code, 'ok', `bit ${bit} accepted`);
      codes.add(code);
    }
    assert.equal(chain.tipHeight, 80640);
    assert.equal(chain.size, 1);
    assert.ok(codes.has('HEADER_BAD_POW'));
    assert.equal(chain.add(valid).status, 'extended');
  });

  test('an anchor off a retarget boundary is refused', () => {
    const headers = mainnetRun();
    assert.equal(codeOf(() => HeaderChain.fromAnchor(MAINNET, { header80: headers[0]!, height: 80001, chainWork: 1n })), 'ANCHOR_INVALID');
  });

  test('a header whose parent is unknown is refused with HEADER_BAD_PREV', { ...needsFixture(CHECKPOINTS) }, () => {
    const headers = mainnetRun();
    const chain = HeaderChain.fromAnchor(MAINNET, checkpointAt(80640), LATE);
    assert.equal(codeOf(() => chain.add(headers[80642 - 80001]!)), 'HEADER_BAD_PREV');
    assert.equal(chain.tipHeight, 80640);
  });

  test('the clock decides HEADER_TIME_TOO_NEW (2 hours)', { ...needsFixture(CHECKPOINTS) }, () => {
    const headers = mainnetRun();
    const next = headers[80641 - 80001]!;
    const time = decodeHeader(next).time;
    const early = HeaderChain.fromAnchor(MAINNET, checkpointAt(80640), { now: () => time - 7201 });
    assert.equal(codeOf(() => early.add(next)), 'HEADER_TIME_TOO_NEW');
    const onTime = HeaderChain.fromAnchor(MAINNET, checkpointAt(80640), { now: () => time - 7200 });
    assert.equal(onTime.add(next).status, 'extended');
  });

  test('save and restore keep every header, the tip and the answers, without revalidating', { ...needsFixture(CHECKPOINTS) }, () => {
    const headers = mainnetRun();
    const chain = HeaderChain.fromAnchor(MAINNET, checkpointAt(80640), LATE);
    for (let h = 80641; h <= 90000; h++) chain.add(headers[h - 80001]!);
    const saved = chain.save();
    const restored = HeaderChain.restore(MAINNET, saved, LATE);
    assert.equal(restored.tipHeight, 90000);
    assert.deepEqual(restored.tip, chain.tip);
    assert.equal(restored.confirmations(headerHash(headers[85000 - 80001]!)), 5001);
    for (let h = 90001; h <= 92000; h++) assert.equal(restored.add(headers[h - 80001]!).status, 'extended');
    const corrupt = saved.slice();
    corrupt[200] = corrupt[200]! ^ 1;
    assert.equal(codeOf(() => HeaderChain.restore(MAINNET, corrupt)), 'CHAIN_STATE_INVALID');
    assert.equal(codeOf(() => HeaderChain.restore(TESTNET3, saved)), 'CHAIN_STATE_INVALID');
    assert.equal(codeOf(() => HeaderChain.restore(MAINNET, saved.subarray(0, saved.length - 1))), 'CHAIN_STATE_INVALID');
  });
});

describe('testnet3 headers with a fork', needsFixture(TESTNET3_RUN), () => {
  test('the low-work fork loses to the main branch by cumulative work', () => {
    const lines = readFixtureText(TESTNET3_RUN).trim().split('\n');
    const chain = HeaderChain.fromGenesis(TESTNET3, LATE);
    const forkHashes: Uint8Array[] = [];
    let reorgs = 0;
    for (const line of lines) {
      const isFork = line.startsWith('fork:');
      const header = hexToBytes(isFork ? line.slice(5) : line);
      const result = chain.add(header);
      if (isFork) forkHashes.push(headerHash(header));
      if (result.status === 'reorg') {
        reorgs++;
        assert.equal(result.reorg.fork.height, 0);
        assert.deepEqual(result.reorg.removed.map((b) => hashToDisplay(b.hashLE)), forkHashes.map(hashToDisplay).reverse());
      }
    }
    assert.equal(chain.tipHeight, 546);
    assert.equal(reorgs, 1);
    for (const h of forkHashes) {
      assert.equal(chain.isOnBestChain(h), false);
      assert.equal(chain.confirmations(h), 0);
      assert.ok(chain.has(h), 'the side branch is kept');
    }
  });
});

describe('regtest: reorgs, ties and rules on mined headers', () => {
  const t0 = 1_700_000_000;

  test('a heavier side branch becomes best and the reorg names fork, removed and added', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    const g = REGTEST.genesisHeader;
    const a1 = mine(g, t0 + 1, { tag: 1 });
    const a2 = mine(a1, t0 + 2, { tag: 1 });
    const b1 = mine(g, t0 + 1, { tag: 2 });
    const b2 = mine(b1, t0 + 2, { tag: 2 });
    const b3 = mine(b2, t0 + 3, { tag: 2 });
    assert.equal(chain.add(a1).status, 'extended');
    assert.equal(chain.add(a2).status, 'extended');
    assert.equal(chain.add(b1).status, 'side');
    assert.equal(chain.add(b2).status, 'side', 'equal work: the first seen stays best');
    const r = chain.add(b3);
    assert.ok(r.status === 'reorg', r.status);
    assert.equal(hashToDisplay(r.reorg.fork.hashLE), hashToDisplay(headerHash(g)));
    assert.deepEqual(r.reorg.removed.map((b) => b.height), [2, 1]);
    assert.deepEqual(r.reorg.added.map((b) => b.height), [1, 2, 3]);
    assert.equal(chain.isOnBestChain(headerHash(a1)), false);
    assert.equal(chain.confirmations(headerHash(b1)), 3);
    assert.deepEqual(chain.ancestor(headerHash(a2), 1), headerHash(a1));
    assert.equal(chain.add(a2).status, 'duplicate');
  });

  test('median time past: a timestamp equal to the median is refused (HEADER_TIME_TOO_OLD)', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    let prev = REGTEST.genesisHeader;
    for (let i = 1; i <= 11; i++) {
      prev = mine(prev, t0 + i * 10);
      chain.add(prev);
    }
    // the last 11 times are t0+10 .. t0+110: the median is t0+60
    assert.equal(codeOf(() => chain.add(mine(prev, t0 + 60))), 'HEADER_TIME_TOO_OLD');
    assert.equal(chain.add(mine(prev, t0 + 61)).status, 'extended');
  });

  test('versions below 4 are refused after BIP65 height (1 on regtest)', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    assert.equal(codeOf(() => chain.add(mine(REGTEST.genesisHeader, t0, { version: 3 }))), 'HEADER_BAD_VERSION');
    assert.equal(codeOf(() => chain.add(mine(REGTEST.genesisHeader, t0, { version: -1 }))), 'HEADER_BAD_VERSION');
    assert.equal(chain.add(mine(REGTEST.genesisHeader, t0, { version: 4 })).status, 'extended');
  });

  test('bits other than the required are refused even with valid PoW', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    assert.equal(codeOf(() => chain.add(mine(REGTEST.genesisHeader, t0, { bits: 0x207ffffe }))), 'HEADER_BAD_BITS');
    assert.equal(codeOf(() => chain.add(mine(REGTEST.genesisHeader, t0, { bits: 0x21008000 }))), 'BITS_INVALID');
  });

  test('a header that misses its target is refused with HEADER_BAD_POW', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    const good = mine(REGTEST.genesisHeader, t0);
    const h = decodeHeader(good);
    for (let nonce = h.nonce + 1; ; nonce++) {
      const candidate = encodeHeader({ ...h, nonce });
      if (!hashMeetsTarget(headerHash(candidate), targetToLE(bitsToTarget(h.bits)))) {
        assert.equal(codeOf(() => chain.add(candidate)), 'HEADER_BAD_POW');
        break;
      }
    }
  });

  test('retargeting: the 4x clamp, and bits other than the retarget result refused (HEADER_BAD_BITS)', () => {
    // Mainnet's retarget rules with a PoW limit low enough to mine here: 16-block periods.
    const params: NetworkParams = {
      ...REGTEST,
      genesisHeader: mineGenesis(t0 - 100_000_000),
      name: 'retarget-test',
      difficulty: { ...REGTEST.difficulty, interval: 16, targetTimespan: 16 * 600, noRetargeting: false, allowMinDifficultyBlocks: false },
    };
    const chain = HeaderChain.fromGenesis(params, LATE);
    let prev = params.genesisHeader;
    for (let h = 1; h < 16; h++) {
      prev = mine(prev, t0 + h * 60); // ten times too fast
      chain.add(prev);
    }
    // span = t0+900 - genesis time is huge: clamped to 4x, capped at the limit
    const expected = nextRetargetBits(params, { lastBits: 0x207fffff, firstBits: 0x207fffff, firstTime: decodeHeader(params.genesisHeader).time, lastTime: t0 + 900 });
    assert.equal(expected, 0x207fffff, 'capped at the PoW limit');
    assert.equal(codeOf(() => chain.add(mine(prev, t0 + 960, { bits: 0x203fffff }))), 'HEADER_BAD_BITS');
    prev = mine(prev, t0 + 960);
    chain.add(prev);
    for (let h = 17; h < 32; h++) {
      prev = mine(prev, t0 + h * 60);
      chain.add(prev);
    }
    // this period took 15 x 60 s = 900 s < 9600/4: clamped to 1/4 of the target timespan
    const quarter = targetToBits(bitsToTarget(0x207fffff) / 4n);
    assert.equal(nextRetargetBits(params, { lastBits: 0x207fffff, firstBits: 0x207fffff, firstTime: t0 + 960, lastTime: t0 + 31 * 60 }), quarter);
    assert.equal(codeOf(() => chain.add(mine(prev, t0 + 32 * 60))), 'HEADER_BAD_BITS');
    assert.equal(chain.add(mine(prev, t0 + 32 * 60, { bits: quarter })).status, 'extended');
  });

  describe('testnet rules on a fast network (16-block periods, PoW limit 2^255)', () => {
    const testnetLike = (bip94: boolean): NetworkParams => ({
      ...REGTEST,
      genesisHeader: mineGenesis(t0),
      name: bip94 ? 'testnet4-like' : 'testnet3-like',
      difficulty: { ...REGTEST.difficulty, interval: 16, targetTimespan: 16 * 600, noRetargeting: false, allowMinDifficultyBlocks: true, enforceBip94: bip94 },
    });
    const LIMIT = 0x207fffff;
    const quarter = targetToBits(bitsToTarget(LIMIT) / 4n);

    /** Mines heights 1..16 fast so that height 16 retargets to a quarter of the limit. */
    function firstPeriod(chain: HeaderChain, params: NetworkParams): { prev: Uint8Array; time: number } {
      let prev = params.genesisHeader;
      let time = t0;
      for (let h = 1; h <= 16; h++) {
        time += 60;
        prev = mine(prev, time, { bits: h === 16 ? quarter : LIMIT });
        assert.notEqual(chain.add(prev).status, 'side', `height ${h}`);
      }
      return { prev, time };
    }

    test('20-minute rule: a late header must use the PoW limit, the next normal one walks back to the last real bits', () => {
      const params = testnetLike(false);
      const chain = HeaderChain.fromGenesis(params, LATE);
      let { prev, time } = firstPeriod(chain, params);
      // 17: more than 2 x 600 s after its parent: the limit is required
      time += 1201;
      assert.equal(codeOf(() => chain.add(mine(prev, time, { bits: quarter }))), 'HEADER_BAD_BITS');
      prev = mine(prev, time, { bits: LIMIT });
      assert.equal(chain.add(prev).status, 'extended');
      // 18: on time again: back to the last non-minimum bits (height 16's)
      time += 60;
      assert.equal(codeOf(() => chain.add(mine(prev, time, { bits: LIMIT }))), 'HEADER_BAD_BITS');
      prev = mine(prev, time, { bits: quarter });
      assert.equal(chain.add(prev).status, 'extended');
      // exactly 1200 s later is not late
      time += 1200;
      assert.equal(codeOf(() => chain.add(mine(prev, time, { bits: LIMIT }))), 'HEADER_BAD_BITS');
    });

    test('testnet3 retargets from the last header\'s bits, even a min-difficulty one; BIP94 from the first header\'s', () => {
      for (const bip94 of [false, true]) {
        const params = testnetLike(bip94);
        const chain = HeaderChain.fromGenesis(params, LATE);
        let { prev, time } = firstPeriod(chain, params);
        for (let h = 17; h <= 31; h++) {
          const late = h === 31;
          time += late ? 1201 : 60;
          prev = mine(prev, time, { bits: late ? LIMIT : quarter });
          chain.add(prev);
        }
        // period 16..31 took 15 x 60 + 1201 s, under a quarter: the new target is base / 4
        const base = bip94 ? quarter : LIMIT;
        const expected = targetToBits(bitsToTarget(base) / 4n);
        time += 60;
        const wrong = targetToBits(bitsToTarget(bip94 ? LIMIT : quarter) / 4n);
        assert.equal(codeOf(() => chain.add(mine(prev, time, { bits: wrong }))), 'HEADER_BAD_BITS', `bip94=${bip94}`);
        assert.equal(chain.add(mine(prev, time, { bits: expected })).status, 'extended', `bip94=${bip94}`);
      }
    });

    test('BIP94 timewarp: a period\'s first header may not be more than 600 s before its parent', () => {
      const params = testnetLike(true);
      const chain = HeaderChain.fromGenesis(params, LATE);
      let prev = params.genesisHeader;
      let time = t0;
      for (let h = 1; h <= 15; h++) {
        time += h === 15 ? 5000 : 60; // a parent far ahead of the median
        prev = mine(prev, time, { bits: h === 15 ? LIMIT : LIMIT });
        chain.add(prev);
      }
      const bits = nextRetargetBits(params, { lastBits: LIMIT, firstBits: LIMIT, firstTime: decodeHeader(params.genesisHeader).time, lastTime: time });
      assert.equal(codeOf(() => chain.add(mine(prev, time - 601, { bits }))), 'HEADER_TIMEWARP');
      assert.equal(chain.add(mine(prev, time - 600, { bits })).status, 'extended');
    });
  });

  test('wrong input sizes are HEADER_MALFORMED', () => {
    const chain = HeaderChain.fromGenesis(REGTEST, LATE);
    assert.equal(codeOf(() => chain.add(new Uint8Array(79))), 'HEADER_MALFORMED');
    assert.equal(codeOf(() => chain.add(new Uint8Array(81))), 'HEADER_MALFORMED');
  });

  test('display <-> internal hash order round-trips', () => {
    const hash = headerHash(REGTEST.genesisHeader);
    assert.deepEqual(displayToHash(hashToDisplay(hash)), hash);
  });
});
