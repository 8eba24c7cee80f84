/**
 * The operator's CLI (docs/operator.md) as an operator runs it: `node bin/utxo-relay.js ...` with a
 * config file pointing at a private redis-server. Text and --json output of transfers
 * list/show/retry/approve, pause, resume and status; exit codes 0 done, 1 refused or failed
 * (the error's code and message), 2 usage error (naming the argument). No chain node is contacted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../config/index.js';
import { openOperatorStore, type OperatorStore } from '../../relayer/operator/operator-store.js';
import { jobIdOf, queueNameOf } from '../../relayer/pipeline/stages.js';
import { startRedisServer, type RedisServer } from '../../relayer/redis/redis-server.js';
import type { Transfer, TransferId, TransferState } from '../../relayer/transfer.js';

const bin = fileURLToPath(new URL('../../bin/utxo-relay.js', import.meta.url));
const configDir = fileURLToPath(new URL('../../config/', import.meta.url));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const { UTXO_RELAY_CONFIG: _drop, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...inherited, ...env }, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ status: code, stdout, stderr });
    });
  });
}

function json(r: Run): unknown {
  assert.equal(r.stdout.trim().split('\n').length, 1, `one JSON line on stdout, got:\n${r.stdout}`);
  return JSON.parse(r.stdout);
}

const txid = (n: number): string => n.toString(16).padStart(64, '0');

let server: RedisServer;
let dir: string;
let configFile: string;
let os: OperatorStore;
const ids: Record<string, TransferId> = {};

async function seed(name: string, n: number, state: TransferState, extra: Partial<Transfer> = {}): Promise<Transfer> {
  const direction = extra.direction ?? 'pegin';
  const id = `${direction === 'pegin' ? 'in' : 'out'}-${txid(n)}-${n % 3}` as TransferId;
  ids[name] = id;
  await os.store.create(
    {
      id,
      direction,
      state: 'seen',
      generation: 0,
      source: { txid: txid(n), vout: n % 3, blockHash: 'ab'.repeat(32), height: 100 + n },
      amount: 150_000_000n + BigInt(n),
      destination: '0014' + '22'.repeat(20),
      createdAt: 0,
      updatedAt: 0,
    },
    direction === 'pegin' ? 'main' : 'side',
    'seen in block ' + 'ab'.repeat(32),
  );
  if (state === 'seen') return os.store.require(id);
  return os.store.mutate(id, (cur) => ({ next: { ...cur, ...extra, state }, note: `test: ${state}` }));
}

before(async () => {
  server = await startRedisServer({ appendonly: false });
  dir = mkdtempSync(join(tmpdir(), 'utxo-relay-operator-cli-'));
  const doc = parse(readFileSync(join(configDir, 'devnet.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  doc['deployment'] = 'opcli' as unknown as Record<string, unknown>;
  doc['redis'] = { url: server.url, prefix: '{utxo-relay}' };
  doc['federation'] = { file: join(configDir, 'devnet-federation.json') };
  doc['signing'] = { keyFile: join(configDir, 'devnet-operator.key') };
  doc['workers'] = { ...doc['workers'], attempts: 1 };
  configFile = join(dir, 'relayer.yaml');
  writeFileSync(configFile, stringify(doc));
  os = await openOperatorStore(loadConfig(configFile));

  await seed('heldCap', 1, 'held', { reason: { code: 'OVER_TRANSFER_CAP', message: 'over the pegin per-transfer maximum' } });
  await seed('heldLie', 2, 'held', { reason: { code: 'PROOF_BAD_MERKLE_BRANCH', message: "the main node's proof does not verify" } });
  await seed('rejected', 3, 'rejected', { reason: { code: 'MEMO_MALFORMED', message: 'the memo is not UBR1' } });
  await seed('completed', 4, 'completed');
  await seed('pegout', 5, 'confirming', { direction: 'pegout' });
  const failing = await seed('failing', 6, 'confirming');

  // a confirm job that fails for real (a BullMQ Worker whose processor throws; 1 attempt)
  await os.pipeline.enqueue('confirm', failing);
  const conn = new Redis(server.url, { maxRetriesPerRequest: null });
  const worker = new Worker(queueNameOf('opcli', 'confirm'), () => Promise.reject(new Error('main node unreachable (test)')), { connection: conn, prefix: '{utxo-relay}' });
  const [job] = (await once(worker, 'failed')) as [Job];
  assert.equal(job.id, jobIdOf('confirm', failing.id, 0));
  await worker.close();
  conn.disconnect();
  // the pegout's confirm job is waiting (no worker runs it)
  await os.pipeline.enqueue('confirm', await os.store.require(ids['pegout']!));
});

after(async () => {
  await os?.close();
  await server?.kill();
});

describe('operator CLI', () => {
  test('transfers list: one line per transfer in text; an array of transfers (bigints as strings) in JSON; filters', async () => {
    const r = await cli(['transfers', 'list', '--config', configFile]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 6);
    const cap = lines.find((l) => l.startsWith(ids['heldCap']!));
    assert.ok(cap !== undefined, r.stdout);
    assert.match(cap, /\bpegin\s+held\s+1\.50000001\s+OVER_TRANSFER_CAP\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(lines.find((l) => l.startsWith(ids['completed']!))!, /completed\s+1\.50000004\s+-\s/);

    const j = await cli(['transfers', 'list', '--config', configFile, '--json', '--state', 'held']);
    assert.equal(j.status, 0, j.stderr);
    const list = json(j) as Record<string, unknown>[];
    assert.deepEqual(list.map((t) => t['id']).sort(), [ids['heldCap'], ids['heldLie']].sort());
    const capJson = list.find((t) => t['id'] === ids['heldCap'])!;
    assert.equal(capJson['amount'], '150000001');
    assert.deepEqual(capJson['reason'], { code: 'OVER_TRANSFER_CAP', message: 'over the pegin per-transfer maximum' });

    const out = json(await cli(['transfers', 'list', '--config', configFile, '--json', '--direction', 'pegout'])) as Record<string, unknown>[];
    assert.deepEqual(out.map((t) => t['id']), [ids['pegout']]);
    const one = json(await cli(['transfers', 'list', '--config', configFile, '--json', '--limit', '1'])) as unknown[];
    assert.equal(one.length, 1);
    const none = await cli(['transfers', 'list', '--config', configFile, '--state', 'reorged']);
    assert.equal(none.stdout.trim(), 'no transfers');
  });

  test('transfers show: the record, its history with times, and its failed job with the failure reason', async () => {
    const r = await cli(['transfers', 'show', ids['failing']!, '--config', configFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^transfer\\s+${ids['failing']}$`, 'm'));
    assert.match(r.stdout, /^state\s+confirming \(generation 0\)$/m);
    assert.match(r.stdout, /^amount\s+1\.50000006 coins$/m);
    assert.match(r.stdout, /^history:\n {2}\d{4}-\d\d-\d\dT\S+Z {2}seen {2}seen in block/m);
    assert.match(r.stdout, /^ {2}\S+Z {2}seen -> confirming {2}test: confirming$/m);
    assert.match(r.stdout, /^failed job {2}confirm-in-\S+-g0 \(confirm, 1 attempts, \S+\): main node unreachable \(test\)$/m);
    assert.match(r.stdout, /^next: fix the cause of the failure above, then `utxo-relay transfers retry /m);

    const j = json(await cli(['transfers', 'show', ids['failing']!, '--config', configFile, '--json'])) as Record<string, unknown>;
    assert.equal((j['transfer'] as Record<string, unknown>)['amount'], '150000006');
    assert.deepEqual((j['history'] as { to: string }[]).map((e) => e.to), ['seen', 'confirming']);
    const failed = j['failedJobs'] as { stage: string; failedReason: string }[];
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.failedReason, 'main node unreachable (test)');

    const held = await cli(['transfers', 'show', ids['heldCap']!, '--config', configFile]);
    assert.match(held.stdout, /^reason\s+OVER_TRANSFER_CAP: over the pegin per-transfer maximum$/m);
    assert.match(held.stdout, /^next: `utxo-relay transfers approve /m);
  });

  test('transfers retry: a failed job, a held transfer; refused states exit 1 with the code', async () => {
    const r = await cli(['transfers', 'retry', ids['failing']!, '--config', configFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the failed confirm job \S+ is waiting again \(it had failed: main node unreachable \(test\)\)/);

    const h = await cli(['transfers', 'retry', ids['heldLie']!, '--config', configFile, '--json']);
    assert.equal(h.status, 0, h.stderr);
    const res = json(h) as { action: string; transfer: { state: string; generation: number; reason?: unknown }; job: { stage: string; state: string } };
    assert.equal(res.action, 'requeued');
    assert.deepEqual([res.transfer.state, res.transfer.generation, res.transfer.reason], ['confirming', 1, undefined]);
    assert.deepEqual(res.job.stage, 'confirm');

    const q = await cli(['transfers', 'retry', ids['pegout']!, '--config', configFile]);
    assert.equal(q.status, 0, q.stderr);
    assert.match(q.stdout, /nothing failed; its confirm job \S+ is already queued \(waiting for a worker\)/);

    const rej = await cli(['transfers', 'retry', ids['rejected']!, '--config', configFile]);
    assert.equal(rej.status, 1);
    assert.equal(rej.stdout, '');
    assert.match(rej.stderr, /^utxo-relay: TRANSFER_STATE_CONFLICT: cannot retry .*listed for refund/);
    const rejJson = await cli(['transfers', 'retry', ids['rejected']!, '--config', configFile, '--json']);
    assert.equal(rejJson.status, 1);
    const err = (json(rejJson) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'TRANSFER_STATE_CONFLICT');
    assert.match(err.message, /listed for refund/);

    const unknown = await cli(['transfers', 'retry', `in-${txid(999)}-0`, '--config', configFile, '--json']);
    assert.equal(unknown.status, 1);
    assert.equal((json(unknown) as { error: { code: string } }).error.code, 'TRANSFER_NOT_FOUND');
  });

  test('transfers approve: a cap hold is approved and sent on; other states exit 1', async () => {
    const r = await cli(['transfers', 'approve', ids['heldCap']!, '--config', configFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /approved past the caps \(the proof is still checked\); held -> confirming \(generation 1\); confirm job \S+ queued/);
    const t = await os.store.require(ids['heldCap']!);
    assert.equal(t.approved, true);
    assert.equal(t.state, 'confirming');

    const done = await cli(['transfers', 'approve', ids['completed']!, '--config', configFile]);
    assert.equal(done.status, 1);
    assert.match(done.stderr, /TRANSFER_STATE_CONFLICT: cannot approve/);
  });

  test('pause, status and resume, in text and JSON', async () => {
    const p = await cli(['pause', 'pegin', '--reason', 'upgrading the main node', '--config', configFile]);
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stdout, /^pegin paused \(operator at \S+Z: upgrading the main node\)$/m);

    const all = json(await cli(['pause', 'all', '--config', configFile, '--json'])) as { paused: { direction: string; already: boolean; pause: { reason: string } }[] };
    assert.deepEqual(all.paused.map((x) => [x.direction, x.already, x.pause.reason]), [
      ['pegin', true, 'upgrading the main node'],
      ['pegout', false, 'no reason given'],
    ]);

    const s = await cli(['status', '--config', configFile]);
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stdout, /^deployment\s+opcli$/m);
    assert.match(s.stdout, /^transfers\s+seen 0, confirming \d+, .*rejected 1, reorged 0$/m);
    assert.match(s.stdout, /^ {2}confirm\s+wait \d+, active 0, delayed 0, failed \d+, completed 0$/m);
    assert.match(s.stdout, /^paused\s+pegin \(operator at \S+: upgrading the main node\); pegout \(operator at \S+: no reason given\)$/m);
    assert.match(s.stdout, /^cursor\s+main: none yet/m);
    assert.match(s.stdout, /^alerts\s+none$/m);

    await os.controls.alert('NODE_FAULTY', 'the main node served a header without enough work');
    await os.marks.setCursor('side', { height: 7, hash: 'cd'.repeat(32) });
    const sj = json(await cli(['status', '--config', configFile, '--json'])) as Record<string, Record<string, unknown>>;
    assert.equal(sj['transfers']!['rejected'], 1);
    assert.equal(typeof (sj['jobs']!['confirm'] as Record<string, number>)['wait'], 'number');
    assert.deepEqual(Object.keys(sj['paused']!).sort(), ['pegin', 'pegout']);
    assert.equal((sj['alerts'] as unknown as { kind: string }[])[0]!.kind, 'NODE_FAULTY');
    assert.deepEqual(sj['cursors'], { main: null, side: { height: 7, hash: 'cd'.repeat(32) } });
    assert.equal((sj['governor']!['pegin'] as Record<string, string>)['dailyCap'], '10000000000');

    const r = await cli(['resume', 'pegin', '--config', configFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^pegin resumed \(it was paused by operator at \S+Z: upgrading the main node\)$/m);
    const rj = json(await cli(['resume', 'all', '--config', configFile, '--json'])) as { resumed: { direction: string; was?: { by: string } }[] };
    assert.deepEqual(rj.resumed.map((x) => [x.direction, x.was?.by]), [
      ['pegin', undefined],
      ['pegout', 'operator'],
    ]);
    const again = await cli(['resume', 'pegout', '--config', configFile]);
    assert.equal(again.stdout.trim(), 'pegout was not paused');
  });

  test('usage errors exit 2 naming the argument; nothing on stdout', async () => {
    for (const [args, named] of [
      [['transfers', 'show', 'in-xyz-0', '--config', configFile], /<ID>/],
      [['transfers', 'retry', `in-${txid(1)}`, '--config', configFile, '--json'], /<ID>/],
      [['pause', 'sideways', '--config', configFile], /DIRECTION: expected pegin, pegout or all/],
      [['transfers', 'list', '--state', 'lost', '--config', configFile], /--state/],
      [['transfers', 'list', '--direction', 'all', '--config', configFile], /--direction: expected pegin or pegout/],
      [['transfers', 'list', '--limit', '0', '--config', configFile], /--limit/],
      [['status'], /--config <FILE> is required.*UTXO_RELAY_CONFIG/],
    ] as const) {
      const r = await cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, named);
    }
  });

  test('the config comes from $UTXO_RELAY_CONFIG when --config is not given; a bad config exits 1 with CONFIG_INVALID', async () => {
    const r = await cli(['status', '--json'], { UTXO_RELAY_CONFIG: configFile });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((json(r) as { deployment: string }).deployment, 'opcli');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(configFile, 'utf8').replace('deployment: opcli', 'deployment: Not_Valid'));
    const t = await cli(['status', '--config', bad]);
    assert.equal(t.status, 1);
    assert.match(t.stderr, /^utxo-relay: CONFIG_INVALID: .*deployment/);
    const j = await cli(['transfers', 'list', '--config', bad, '--json']);
    assert.equal(j.status, 1);
    assert.equal((json(j) as { error: { code: string } }).error.code, 'CONFIG_INVALID');
  });
});
