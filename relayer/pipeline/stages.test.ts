/**
 * Job ids and the stage of each state. The job id check runs against real BullMQ on a private
 * redis-server: BullMQ refuses ':' in custom ids, and a duplicate add must be a no-op.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer, uniquePrefix, type RedisServer } from '../../test/redis.js';
import { TRANSFER_STATES, transferIdOf, type Transfer, type TransferState } from '../transfer.js';
import { jobIdOf, queueNameOf, STAGES, stageFor, type Stage } from './stages.js';

const realIds = [
  // the genesis coinbase txid (display order), output 0, a peg-in
  transferIdOf('pegin', Uint8Array.from(Buffer.from('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b', 'hex').reverse()), 0),
  transferIdOf('pegout', new Uint8Array(32).fill(0xff), 0xffffffff),
  transferIdOf('pegin', new Uint8Array(32), 1),
];

describe('jobIdOf', () => {
  test('has no ":" for real ids, at every stage and generation, and is not an integer', () => {
    for (const id of realIds) {
      for (const stage of STAGES) {
        for (const generation of [0, 1, 17, 2 ** 31]) {
          const jobId = jobIdOf(stage, id, generation);
          assert.ok(!jobId.includes(':'), jobId);
          assert.ok(!/^\d+$/.test(jobId), jobId);
        }
      }
    }
  });

  test('distinct per stage, transfer and generation', () => {
    const all = new Set<string>();
    for (const id of realIds) for (const stage of STAGES) for (const g of [0, 1, 10, 11]) all.add(jobIdOf(stage, id, g));
    assert.equal(all.size, realIds.length * STAGES.length * 4);
    // generation 1 of one id never equals generation 11 of another by concatenation
    assert.notEqual(jobIdOf('sign', realIds[0]!, 1), jobIdOf('sign', realIds[0]!, 11));
  });

  test('pinned format', () => {
    assert.equal(jobIdOf('settle', realIds[1]!, 3), `settle-out-${'ff'.repeat(32)}-4294967295-g3`);
    assert.equal(queueNameOf('dep1', 'verify'), 'dep1-verify');
  });

  describe('against real BullMQ', () => {
    let server: RedisServer;
    let redis: Redis;
    before(async () => {
      server = await startRedisServer({ appendonly: false });
      redis = new Redis(server.url, { maxRetriesPerRequest: null });
    });
    after(async () => {
      redis.disconnect();
      await server.kill();
    });

    test('BullMQ accepts every job id and ignores a duplicate add', async () => {
      const queue = new Queue(queueNameOf('stages-test', 'confirm'), { connection: redis, prefix: uniquePrefix('{stages}') });
      try {
        for (const id of realIds) {
          for (const stage of STAGES) {
            const jobId = jobIdOf(stage, id, 2);
            const a = await queue.add(stage, { id, generation: 2 }, { jobId });
            const b = await queue.add(stage, { id, generation: 2 }, { jobId });
            assert.equal(a.id, jobId);
            assert.equal(b.id, jobId);
          }
        }
        assert.equal(await queue.count(), realIds.length * STAGES.length);
        // the guards the ids avoid are real: BullMQ refuses a ':' in a custom id (except in the
        // three-part form it keeps for old repeatable jobs) and an integer id
        await assert.rejects(queue.add('x', {}, { jobId: 'sign:in-abc-0' }), /cannot contain/);
        await assert.rejects(queue.add('x', {}, { jobId: '42' }), /integers/);
      } finally {
        await queue.close();
      }
    });
  });
});

describe('stageFor', () => {
  const base: Transfer = {
    id: realIds[0]!,
    direction: 'pegin',
    state: 'seen',
    generation: 0,
    source: { txid: '00'.repeat(32), vout: 0, blockHash: '00'.repeat(32), height: 1 },
    amount: 1n,
    destination: '00',
    createdAt: 0,
    updatedAt: 0,
  };
  const payout = { txid: '11'.repeat(32), rawTx: '00', inputs: [], fee: 1n, feeRate: 1 };
  const expected: Record<TransferState, [Stage | undefined, Stage | undefined]> = {
    // [without a payout, with a payout]
    seen: ['confirm', 'confirm'],
    confirming: ['confirm', 'confirm'],
    verified: ['sign', 'sign'],
    signing: ['sign', 'broadcast'],
    broadcast: ['settle', 'settle'],
    completed: [undefined, undefined],
    held: [undefined, undefined],
    rejected: [undefined, undefined],
    reorged: [undefined, undefined],
  };
  test('covers every state', () => {
    assert.deepEqual(Object.keys(expected).sort(), [...TRANSFER_STATES].sort());
  });
  for (const state of TRANSFER_STATES) {
    test(`${state} -> ${String(expected[state][0])} (with a payout: ${String(expected[state][1])})`, () => {
      assert.equal(stageFor({ ...base, state }), expected[state][0]);
      assert.equal(stageFor({ ...base, state, payout }), expected[state][1]);
    });
  }
});
