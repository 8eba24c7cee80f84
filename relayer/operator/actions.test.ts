/**
 * The operator's actions against a real redis-server and real BullMQ queues: every branch of
 * retry and approve (held with and without a payout, a failed job made to fail by a real Worker,
 * a job already queued, a missing job, the refused states), pause/resume, status and show.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { parse, stringify } from 'yaml';
import { parseConfig, type RelayerConfig } from '../../config/index.js';
import { uniquePrefix } from '../../test/redis.js';
import { RelayerError } from '../errors.js';
import { jobIdOf, queueNameOf, type Stage } from '../pipeline/stages.js';
import { startRedisServer, type RedisServer } from '../redis/redis-server.js';
import type { Transfer, TransferId, TransferState } from '../transfer.js';
import { approveTransfer, pauseDirection, resumeDirection, retryTransfer, showTransfer, status } from './actions.js';
import { openOperatorStore, type OperatorStore } from './operator-store.js';

const configDir = fileURLToPath(new URL('../../config/', import.meta.url));

let server: RedisServer;
let deploymentCount = 0;

before(async () => {
  server = await startRedisServer({ appendonly: false });
});
after(async () => {
  await server.kill();
});

/** The devnet config with its own deployment name (so tests share nothing), Redis, and 1 attempt a job. */
function configFor(): RelayerConfig {
  const doc = parse(readFileSync(`${configDir}devnet.yaml`, 'utf8')) as Record<string, Record<string, unknown>>;
  doc['deployment'] = `op-${++deploymentCount}-${uniquePrefix('x').slice(-8)}` as unknown as Record<string, unknown>;
  doc['redis'] = { url: server.url, prefix: '{utxo-relay}' };
  doc['workers'] = { ...doc['workers'], attempts: 1 };
  return parseConfig(stringify(doc), configDir, {}, 'operator-test.yaml');
}

async function open(t: { after(fn: () => Promise<void>): void }): Promise<OperatorStore> {
  const os = await openOperatorStore(configFor());
  t.after(() => os.close());
  return os;
}

let seq = 0;
function idOf(n: number, direction: 'in' | 'out' = 'in'): TransferId {
  return `${direction}-${n.toString(16).padStart(64, '0')}-0` as TransferId;
}

/** Creates a transfer `seen`, then moves it to `state` with `extra` (like the pipeline would). */
async function seed(os: OperatorStore, state: TransferState, extra: Partial<Transfer> = {}): Promise<Transfer> {
  const n = ++seq;
  const id = idOf(n, extra.direction === 'pegout' ? 'out' : 'in');
  const base: Transfer = {
    id,
    direction: 'pegin',
    state: 'seen',
    generation: 0,
    source: { txid: n.toString(16).padStart(64, '0'), vout: 0, blockHash: 'ab'.repeat(32), height: 10 },
    amount: 150_000_000n,
    destination: '0014' + '11'.repeat(20),
    createdAt: 0,
    updatedAt: 0,
  };
  assert.equal(await os.store.create({ ...base, direction: extra.direction ?? 'pegin' }, extra.direction === 'pegout' ? 'side' : 'main', 'seen by the test'), true);
  if (state === 'seen' && Object.keys(extra).length === 0) return os.store.require(id);
  return os.store.mutate(id, (cur) => ({ next: { ...cur, ...extra, state }, note: `test: ${state}` }));
}

async function jobState(os: OperatorStore, stage: Stage, t: Pick<Transfer, 'id' | 'generation'>): Promise<string | undefined> {
  const job = (await os.pipeline.queue(stage).getJob(jobIdOf(stage, t.id, t.generation))) as Job | undefined;
  return job === undefined ? undefined : job.getState();
}

/** Runs a real BullMQ Worker on `stage` until the job of `t` finished: failed (throws) or completed. */
async function runJobs(os: OperatorStore, stage: Stage, outcome: 'fail' | 'complete', t: Pick<Transfer, 'id' | 'generation'>): Promise<void> {
  const conn = new Redis(server.url, { maxRetriesPerRequest: null });
  const worker = new Worker(
    queueNameOf(os.config.deployment, stage),
    async () => {
      if (outcome === 'fail') throw new Error('the main node did not answer (test)');
      return 'done';
    },
    { connection: conn, prefix: os.config.redis.prefix },
  );
  try {
    const jobId = jobIdOf(stage, t.id, t.generation);
    const event = outcome === 'fail' ? 'failed' : 'completed';
    for (;;) {
      const [job] = (await once(worker, event)) as [Job];
      if (job.id === jobId) break;
    }
  } finally {
    await worker.close();
    conn.disconnect();
  }
}

async function lastNote(os: OperatorStore, id: TransferId): Promise<string> {
  const events = await os.store.events(id);
  return events[events.length - 1]!.note;
}

function isConflict(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof RelayerError, String(e));
    assert.equal(e.code, 'TRANSFER_STATE_CONFLICT');
    assert.match(e.message, pattern);
    return true;
  };
}

describe('retryTransfer', () => {
  test('held: back to confirming with generation + 1, reason removed, approved kept, a confirm job queued', async (t) => {
    const os = await open(t);
    const held = await seed(os, 'held', { generation: 2, reason: { code: 'PROOF_BAD_MERKLE_BRANCH', message: 'the node lied' } });
    const r = await retryTransfer(os, held.id);
    assert.equal(r.action, 'requeued');
    assert.equal(r.transfer.state, 'confirming');
    assert.equal(r.transfer.generation, 3);
    assert.equal(r.transfer.reason, undefined);
    assert.equal(r.transfer.approved, undefined);
    assert.deepEqual(r.job, { stage: 'confirm', jobId: jobIdOf('confirm', held.id, 3), state: 'waiting' });
    assert.equal(await jobState(os, 'confirm', r.transfer), 'waiting');
    const stored = await os.store.require(held.id);
    assert.equal(stored.state, 'confirming');
    assert.equal(stored.reason, undefined);
    assert.match(await lastNote(os, held.id), /^operator: retried \(held: PROOF_BAD_MERKLE_BRANCH\)/);
    assert.deepEqual(await os.store.idsInState('held'), []);

    const approvedHeld = await seed(os, 'held', { approved: true, reason: { code: 'PROOF_CHANGED', message: 'x' } });
    const r2 = await retryTransfer(os, approvedHeld.id);
    assert.equal(r2.transfer.approved, true, 'approved stays as it was');
    assert.equal(r2.transfer.state, 'confirming');
  });

  test('held with a signed payout: never back through sign; the same bytes are broadcast again, or settle asks the chain', async (t) => {
    const os = await open(t);
    const payout = { txid: 'cd'.repeat(32), rawTx: '00', inputs: ['ef'.repeat(32) + ':0'], fee: 500n, feeRate: 2 };
    const refused = await seed(os, 'held', { direction: 'pegout', payout, reason: { code: 'BROADCAST_REFUSED', message: 'no' } });
    const r = await retryTransfer(os, refused.id);
    assert.equal(r.transfer.state, 'signing');
    assert.equal(r.transfer.payout?.txid, payout.txid);
    assert.equal(r.job.stage, 'broadcast');
    assert.equal(await jobState(os, 'broadcast', r.transfer), 'waiting');

    const conflict = await seed(os, 'held', { direction: 'pegout', payout: { ...payout, broadcastHeight: 7 }, reason: { code: 'PAYOUT_CONFLICT', message: 'spent' } });
    const r2 = await retryTransfer(os, conflict.id);
    assert.equal(r2.transfer.state, 'broadcast');
    assert.equal(r2.job.stage, 'settle');
  });

  test('a moving transfer whose job failed for real: the job goes back to waiting', async (t) => {
    const os = await open(t);
    const tr = await seed(os, 'confirming', { generation: 1 });
    await os.pipeline.enqueue('confirm', tr);
    await runJobs(os, 'confirm', 'fail', tr);
    assert.equal(await jobState(os, 'confirm', tr), 'failed');
    const shown = await showTransfer(os, tr.id);
    assert.equal(shown.failedJobs.length, 1);
    assert.equal(shown.failedJobs[0]!.stage, 'confirm');
    assert.match(shown.failedJobs[0]!.failedReason, /did not answer/);

    const r = await retryTransfer(os, tr.id);
    assert.equal(r.action, 'job-retried');
    assert.equal(r.transfer.state, 'confirming');
    assert.equal(r.transfer.generation, 1, 'a job retry does not bump the generation');
    assert.equal(r.job.jobId, jobIdOf('confirm', tr.id, 1));
    assert.equal(r.job.state, 'waiting');
    assert.equal(await jobState(os, 'confirm', tr), 'waiting');
    assert.match(r.message, /had failed: the main node did not answer/);
    assert.match(await lastNote(os, tr.id), /^operator: retried the failed confirm job/);
    assert.deepEqual((await showTransfer(os, tr.id)).failedJobs, []);
  });

  test("a failed job of the stage it handed over to (verify of a confirming transfer) is the one retried", async (t) => {
    const os = await open(t);
    const tr = await seed(os, 'confirming');
    await os.pipeline.enqueue('confirm', tr);
    await runJobs(os, 'confirm', 'complete', tr);
    await os.pipeline.enqueue('verify', tr);
    await runJobs(os, 'verify', 'fail', tr);
    const r = await retryTransfer(os, tr.id);
    assert.equal(r.action, 'job-retried');
    assert.equal(r.job.stage, 'verify');
    assert.equal(await jobState(os, 'verify', tr), 'waiting');
    assert.equal(await jobState(os, 'confirm', tr), 'completed');
  });

  test('a moving transfer with no failed job: its job is queued (a no-op when it is), and it says so', async (t) => {
    const os = await open(t);
    const tr = await seed(os, 'verified');
    assert.equal(await jobState(os, 'sign', tr), undefined);
    const r = await retryTransfer(os, tr.id);
    assert.equal(r.action, 'already-queued');
    assert.equal(r.job.stage, 'sign');
    assert.equal(r.job.state, 'waiting');
    assert.match(r.message, /nothing failed; its sign job .* was queued again/);
    const again = await retryTransfer(os, tr.id);
    assert.equal(again.action, 'already-queued');
    assert.match(again.message, /is already queued \(waiting for a worker\)/);
    assert.equal((await os.pipeline.queue('sign').getJobCounts('wait')).wait, 1, 'one job, not two');
    assert.equal((await os.store.require(tr.id)).generation, 0);
  });

  test('a stage job that completed while nothing moves the transfer on is run again', async (t) => {
    const os = await open(t);
    const tr = await seed(os, 'verified');
    await os.pipeline.enqueue('sign', tr);
    await runJobs(os, 'sign', 'complete', tr);
    const r = await retryTransfer(os, tr.id);
    assert.equal(r.action, 'job-retried');
    assert.equal(r.job.stage, 'sign');
    assert.equal(await jobState(os, 'sign', tr), 'waiting');
  });

  test('completed, rejected and reorged are refused with the reason', async (t) => {
    const os = await open(t);
    const done = await seed(os, 'completed', { payout: { txid: 'cd'.repeat(32), rawTx: '', inputs: [], fee: 0n, feeRate: 0 } });
    const rejected = await seed(os, 'rejected', { reason: { code: 'MEMO_MALFORMED', message: 'bad memo' } });
    const reorged = await seed(os, 'reorged', { reason: { code: 'SOURCE_REORGED', message: 'gone' } });
    await assert.rejects(retryTransfer(os, done.id), isConflict(/completed/));
    await assert.rejects(retryTransfer(os, rejected.id), isConflict(/listed for refund/));
    await assert.rejects(retryTransfer(os, reorged.id), isConflict(/comes back by itself if its output is mined again/));
    for (const tr of [done, rejected, reorged]) assert.deepEqual(await os.store.require(tr.id), tr, 'unchanged');
  });

  test('an unknown transfer is TRANSFER_NOT_FOUND', async (t) => {
    const os = await open(t);
    await assert.rejects(retryTransfer(os, idOf(0xdead)), (e: unknown) => e instanceof RelayerError && e.code === 'TRANSFER_NOT_FOUND');
    await assert.rejects(approveTransfer(os, idOf(0xdead)), (e: unknown) => e instanceof RelayerError && e.code === 'TRANSFER_NOT_FOUND');
  });
});

describe('approveTransfer', () => {
  test('a held transfer: approved, back to confirming with generation + 1, a confirm job queued', async (t) => {
    const os = await open(t);
    const held = await seed(os, 'held', { reason: { code: 'OVER_TRANSFER_CAP', message: 'too big' } });
    const r = await approveTransfer(os, held.id);
    assert.equal(r.action, 'requeued');
    assert.equal(r.transfer.approved, true);
    assert.equal(r.transfer.state, 'confirming');
    assert.equal(r.transfer.generation, 1);
    assert.equal(r.transfer.reason, undefined);
    assert.equal(await jobState(os, 'confirm', r.transfer), 'waiting');
    assert.match(await lastNote(os, held.id), /^operator: approved/);
    // its proof is still checked: approval does not skip a stage
    assert.equal(r.transfer.proof, undefined);
  });

  test('any other state is refused', async (t) => {
    const os = await open(t);
    for (const state of ['seen', 'confirming', 'verified', 'signing', 'broadcast', 'completed', 'rejected', 'reorged'] as const) {
      const tr = await seed(os, state);
      await assert.rejects(approveTransfer(os, tr.id), isConflict(new RegExp(`cannot approve ${tr.id}`)), state);
      assert.equal((await os.store.require(tr.id)).approved, undefined);
    }
  });
});

describe('pause and resume', () => {
  test('pause a direction, then all (an existing pause is kept), resume says what each pause was', async (t) => {
    const os = await open(t);
    const [p] = await pauseDirection(os, 'pegin', 'node upgrade');
    assert.equal(p!.direction, 'pegin');
    assert.equal(p!.already, false);
    assert.deepEqual({ reason: p!.pause.reason, by: p!.pause.by }, { reason: 'node upgrade', by: 'operator' });
    await os.controls.pause('pegout', 'a lock was reorged after its mint', 'reorg');
    const all = await pauseDirection(os, 'all', 'maintenance');
    assert.deepEqual(all.map((x) => [x.direction, x.already, x.pause.by, x.pause.reason]), [
      ['pegin', true, 'operator', 'node upgrade'],
      ['pegout', true, 'reorg', 'a lock was reorged after its mint'],
    ]);
    assert.deepEqual(Object.keys(await os.controls.paused()).sort(), ['pegin', 'pegout']);

    const resumed = await resumeDirection(os, 'all');
    assert.deepEqual(resumed.map((r) => [r.direction, r.was?.by, r.was?.reason]), [
      ['pegin', 'operator', 'node upgrade'],
      ['pegout', 'reorg', 'a lock was reorged after its mint'],
    ]);
    assert.deepEqual(await os.controls.paused(), {});
    assert.deepEqual(await resumeDirection(os, 'pegout'), [{ direction: 'pegout' }]);
  });

  test('a retry while paused says so', async (t) => {
    const os = await open(t);
    await pauseDirection(os, 'pegin', 'investigating');
    const held = await seed(os, 'held', { reason: { code: 'X', message: 'y' } });
    const r = await retryTransfer(os, held.id);
    assert.match(r.message, /pegin is paused \(operator: investigating\)/);
  });
});

describe('status', () => {
  test('counts per state, job counts per stage, pauses, the last 10 alerts, cursors, the governor', async (t) => {
    const os = await open(t);
    await seed(os, 'held', { reason: { code: 'OVER_DAILY_CAP', message: 'full' } });
    await seed(os, 'completed');
    const c = await seed(os, 'confirming');
    await os.pipeline.enqueue('confirm', c);
    for (let i = 0; i < 12; i++) await os.controls.alert('NODE_FAULTY', `alert ${i}`);
    await os.controls.pause('pegout', 'reserve check failed', 'reserve-check');
    await os.marks.setCursor('main', { height: 42, hash: 'ee'.repeat(32) });
    const s = await status(os);
    assert.equal(s.deployment, os.config.deployment);
    assert.equal(s.transfers.held, 1);
    assert.equal(s.transfers.completed, 1);
    assert.equal(s.transfers.confirming, 1);
    assert.equal(s.transfers.seen, 0);
    assert.equal(s.jobs.confirm['wait'], 1);
    assert.equal(s.jobs.settle['wait'], 0);
    assert.deepEqual(Object.keys(s.paused), ['pegout']);
    assert.equal(s.paused.pegout!.by, 'reserve-check');
    assert.equal(s.alerts.length, 10);
    assert.equal(s.alerts[0]!.message, 'alert 11');
    assert.deepEqual(s.cursors, { main: { height: 42, hash: 'ee'.repeat(32) }, side: null });
    assert.equal(s.governor.pegin.used, 0n);
    assert.equal(s.governor.pegin.dailyCap, 10_000_000_000n);
  });
});

describe('showTransfer', () => {
  test('the record, its history oldest first, and its current job', async (t) => {
    const os = await open(t);
    const tr = await seed(os, 'confirming');
    await os.pipeline.enqueue('confirm', tr);
    const d = await showTransfer(os, tr.id);
    assert.equal(d.transfer.id, tr.id);
    assert.deepEqual(d.history.map((e) => e.note), ['seen by the test', 'test: confirming']);
    assert.deepEqual(d.job, { stage: 'confirm', jobId: jobIdOf('confirm', tr.id, 0), state: 'waiting' });
    assert.deepEqual(d.failedJobs, []);
  });
});
