/**
 * The relayer end to end (`npm run bench -- relayer`): throughput of the real pipeline from "lock
 * confirmed" to "mint broadcast" with N concurrent peg-ins (N = 100, 1,000, 5,000), with p50/p99
 * latency, next to BullMQ's own rate for no-op jobs on the same redis-server in the same run; then
 * N = 1,000 with 1, 2 and 4 relayer processes sharing Redis (scale-out).
 *
 * Bridges (bench/relayer-fixture.ts): one main devnet node and one redis-server for the suite;
 * per measurement a fresh side node, a deployment of its own and fresh `utxo-relay start`
 * processes (the first with the watchers, the others `--no-watch`), with devnet.yaml's settings
 * (confirmations, poll intervals, worker concurrency) except: no peg-in/peg-out caps, a 10,000
 * unit mint fee (a mint carries its 100-output lock transaction), a 3 s shutdown. The N locks are
 * the lock outputs of lock transactions of 100 outputs + one memo, mined into one block; once the
 * watcher recorded all of them and the confirm stage marked them `confirming` (1 of the 2
 * confirmations), the block that confirms them is mined: T0 is when that generatetoaddress
 * returns. A transfer's latency is the `at` of its history event to `broadcast` minus T0;
 * throughput is N / the largest latency. The mints go to the side node's mempool (it never mines
 * here): validating and holding them is part of the cost.
 *
 * A measurement stops waiting at RELAYER_BENCH_CAP_S seconds after T0 [default 150]: it is then
 * reported as partial (how many were broadcast by then, and that rate), not failed; on this
 * 2-core machine N = 5,000 does not finish within the suite's ~10-minute budget. Each measurement
 * also prints the CPU seconds every process used between T0 and the end (from /proc), per
 * transfer, next to the CPU the no-op workers and Redis used per no-op job: a comparison that
 * holds up better than wall-clock rates on a machine shared with other work.
 * RELAYER_BENCH_SIZES (e.g. "100,1000") and RELAYER_BENCH_SCALE_N ("0": no scale-out) change the
 * sizes for quick runs. No targets: the issue gives none.
 */
import { loadavg } from 'node:os';
import { median, type Measurement, type SuiteResult } from './harness.js';
import { BenchBase, LOCKS_PER_TX, MINT_FEE, until, type BenchStack, type NoopResult } from './relayer-fixture.js';
import type { TransferEvent } from '../relayer/store/transfer-store.js';
import type { TransferId } from '../relayer/transfer.js';

const SIZES = (process.env['RELAYER_BENCH_SIZES'] ?? '100,1000,5000').split(',').map(Number);
const SCALE_N = Number(process.env['RELAYER_BENCH_SCALE_N'] ?? '1000');
const CAP_MS = Number(process.env['RELAYER_BENCH_CAP_S'] ?? '150') * 1000;
const SCALE_PROCESSES = [2, 4];
/** devnet.yaml's (and the documented default) worker concurrency. */
const CONCURRENCY = { confirm: 16, verify: 4, sign: 2, broadcast: 4, settle: 8 };
/** The no-op baseline's worker concurrency: the verify stage's (sign runs 2). */
const NOOP_CONCURRENCY = CONCURRENCY.verify;
const STAGES = 5;
/** Each baseline is run this many times (median): a few hundred no-op jobs take well under a second. */
const NOOP_RUNS = 3;
const PREFIX = '{utxo-relay}';

const MILESTONES = ['verified', 'signStart', 'signed', 'broadcast'] as const;
type Milestone = (typeof MILESTONES)[number];
const IS: Record<Milestone, (e: TransferEvent) => boolean> = {
  verified: (e) => e.to === 'verified',
  signStart: (e) => e.to === 'signing' && e.note === 'building the payout',
  signed: (e) => e.to === 'signing' && e.note.startsWith('mint '),
  broadcast: (e) => e.to === 'broadcast',
};

interface PipelineRun {
  readonly n: number;
  readonly processes: number;
  /** Broadcast by the end of the wait (n unless the cap was hit). */
  readonly done: number;
  /** From T0 to the last broadcast, or to the cap. */
  readonly windowMs: number;
  readonly transfersPerSec: number;
  /** Latency percentiles over all n (Infinity: not broadcast within the window). */
  readonly latencyMs: { p50: number; p99: number };
  /** Per milestone: how many reached it, and ms after T0 by which 50% / 100% of n had. */
  readonly milestones: Record<Milestone, { reached: number; p50: number; all: number }>;
  /** Per-transfer medians of the gaps between milestones (ms), over the transfers broadcast. */
  readonly gaps: { toVerified: number; toSignStart: number; toSigned: number; toBroadcast: number };
  readonly noop: Record<number, NoopResult>;
  readonly recordMs: number;
  readonly confirmingMs: number;
  readonly sideMempool: { size: number; bytes: number };
  readonly warnLines: number;
  /** The most frequent kinds of warn-or-worse lines. */
  readonly warnKinds: string;
  readonly load: number;
  /** CPU seconds each process used in the window. */
  readonly cpu: Record<string, number>;
  /** Wall time of the untimed phases (ms). */
  readonly phases: Record<string, number>;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function runPipeline(base: BenchBase, n: number, processes: number): Promise<PipelineRun> {
  const started = Date.now();
  const load = loadavg()[0]!;
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string): void => {
    phases[name] = Date.now() - mark;
    mark = Date.now();
  };
  // the baseline first, on the same redis-server, while no relayer runs
  const noop: Record<number, NoopResult> = {};
  for (const p of processes === 1 ? [1] : [1, processes]) {
    const rs: NoopResult[] = [];
    for (let i = 0; i < NOOP_RUNS; i++) rs.push(await base.noopJobs(PREFIX, n, p, NOOP_CONCURRENCY));
    noop[p] = { jobsPerSec: median(rs.map((r) => r.jobsPerSec)), workerCpuMsPerJob: median(rs.map((r) => r.workerCpuMsPerJob)), redisCpuMsPerJob: median(rs.map((r) => r.redisCpuMsPerJob)) };
  }
  phase('baseline');
  const stack = await base.stack(`bench-${started.toString(36)}-n${n}-p${processes}`, {
    fees: { mint: Number(MINT_FEE), releaseTargetBlocks: 2 },
    limits: { dust: 546 },
    workers: { concurrency: CONCURRENCY, attempts: 12, backoff: { delayMs: 1000, maxDelayMs: 60_000 }, keepCompletedSeconds: 86_400, shutdownTimeoutMs: 3_000 },
    log: { level: 'info' },
  });
  phase('sideNode');
  let ok = false;
  try {
    await Promise.all(Array.from({ length: processes }, (_, i) => stack.startRelayer(i === 0 ? [] : ['--no-watch'])));
    phase('relayerStart');

    const { ids } = await stack.sendLocks(n);
    const lockBlock = await base.mineMain(1);
    const mined = Date.now();
    const total = async (): Promise<number> => Object.values(await stack.store.counts()).reduce((s, c) => s + c, 0);
    await until(async () => ((await total()) >= n ? true : undefined), 180_000, () => `the watcher did not record ${n} transfers of lock block ${lockBlock}`);
    const recordMs = Date.now() - mined;
    await until(async () => ((await stack.store.counts()).confirming >= n ? true : undefined), 180_000, () => `not all ${n} transfers reached confirming`);
    const confirmingMs = Date.now() - mined;
    phase('locks');

    await base.mineMain(1);
    const t0 = Date.now();
    const cpu0 = stack.cpuSeconds();
    let done = 0;
    for (;;) {
      const c = await stack.store.counts();
      if (c.held + c.rejected + c.reorged > 0) {
        const [bad] = [...(await stack.store.list({ state: 'held', limit: 1 })), ...(await stack.store.list({ state: 'rejected', limit: 1 }))];
        throw new Error(`transfers left the pipeline (held ${c.held}, rejected ${c.rejected}, reorged ${c.reorged}): e.g. ${bad?.id} ${bad?.reason?.code}: ${bad?.reason?.message}`);
      }
      done = c.broadcast + c.completed;
      if (done >= n || Date.now() - t0 >= CAP_MS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const stoppedAt = Date.now();
    const cpu1 = stack.cpuSeconds();
    const cpu = Object.fromEntries(Object.entries(cpu1).map(([k, v]) => [k, Number((v - (cpu0[k] ?? 0)).toFixed(2))]));
    phase('measured');

    const times: Record<Milestone, number[]> = { verified: [], signStart: [], signed: [], broadcast: [] };
    const gaps = { toVerified: [] as number[], toSignStart: [] as number[], toSigned: [] as number[], toBroadcast: [] as number[] };
    for (const events of (await eventsOf(stack, ids)).values()) {
      const at = Object.fromEntries(MILESTONES.map((m) => [m, events.find(IS[m])?.at])) as Record<Milestone, number | undefined>;
      for (const m of MILESTONES) times[m].push(at[m] === undefined ? Infinity : at[m] - t0);
      if (at.verified !== undefined && at.signStart !== undefined && at.signed !== undefined && at.broadcast !== undefined) {
        gaps.toVerified.push(at.verified - t0);
        gaps.toSignStart.push(at.signStart - at.verified);
        gaps.toSigned.push(at.signed - at.signStart);
        gaps.toBroadcast.push(at.broadcast - at.signed);
      }
    }
    for (const m of MILESTONES) times[m].sort((a, b) => a - b);
    const broadcastTimes = times.broadcast;
    const complete = done >= n;
    const windowMs = complete ? broadcastTimes[n - 1]! : stoppedAt - t0;
    const reached = broadcastTimes.filter(Number.isFinite).length;
    const mempool = await stack.nodes.sideRpc.call<{ size: number; bytes: number }>('getmempoolinfo');
    const warns = summarizeWarnings(stack.logs());
    ok = true;
    return {
      n,
      processes,
      done: reached,
      windowMs,
      transfersPerSec: reached / (windowMs / 1000),
      latencyMs: { p50: percentile(broadcastTimes, 50), p99: percentile(broadcastTimes, 99) },
      milestones: Object.fromEntries(
        MILESTONES.map((m) => [m, { reached: times[m].filter(Number.isFinite).length, p50: percentile(times[m], 50), all: times[m][n - 1]! }]),
      ) as PipelineRun['milestones'],
      gaps: { toVerified: median(gaps.toVerified), toSignStart: median(gaps.toSignStart), toSigned: median(gaps.toSigned), toBroadcast: median(gaps.toBroadcast) },
      noop,
      recordMs,
      confirmingMs,
      sideMempool: { size: mempool.size, bytes: mempool.bytes },
      warnLines: warns.total,
      warnKinds: warns.top,
      load,
      cpu,
      phases,
    };
  } catch (e) {
    throw new Error(`N=${n}, ${processes} process(es): ${e instanceof Error ? e.message : String(e)} (relayer logs kept in ${stack.dir}/logs)`, { cause: e });
  } finally {
    await stack.stop(!ok);
  }
}

/** Warn-or-worse log lines: how many, and the most frequent kinds (message, stage, error) with counts. */
function summarizeWarnings(logs: string): { total: number; top: string } {
  const kinds = new Map<string, number>();
  let total = 0;
  for (const line of logs.split('\n')) {
    if (!/"level":[4-6]\d/.test(line)) continue;
    total++;
    let kind = line.slice(0, 120);
    try {
      const j = JSON.parse(line) as { msg?: string; stage?: string; err?: { message?: string; code?: string } };
      kind = [j.msg, j.stage, j.err?.code, j.err?.message?.slice(0, 100)].filter((x) => x !== undefined).join(' / ');
    } catch {
      // not JSON: keep the raw start
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const top = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, c]) => `${c}x ${k}`).join('; ');
  return { total, top };
}

async function eventsOf(stack: BenchStack, ids: readonly TransferId[]): Promise<Map<TransferId, TransferEvent[]>> {
  const out = new Map<TransferId, TransferEvent[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await Promise.all(chunk.map((id) => stack.store.events(id)));
    chunk.forEach((id, j) => out.set(id, rows[j]!));
  }
  return out;
}

function cpuPerTransfer(r: PipelineRun): { relayer: number; side: number; main: number; redis: number } {
  const per = (v: number): number => (v * 1000) / Math.max(1, r.done);
  const relayer = Object.entries(r.cpu).filter(([k]) => k.startsWith('relayer')).reduce((s, [, v]) => s + v, 0);
  return { relayer: per(relayer), side: per(r.cpu['side node'] ?? 0), main: per(r.cpu['main node'] ?? 0), redis: per(r.cpu['redis'] ?? 0) };
}

const sec = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '>cap');
const rate = (x: number): string => Math.round(x).toLocaleString('en-US');
const plural = (p: number): string => `${p} process${p === 1 ? '' : 'es'}`;

function report(r: PipelineRun, log: (line: string) => void): void {
  const head = `N=${r.n.toLocaleString('en-US')}, ${plural(r.processes)}`;
  if (r.done >= r.n) {
    log(`${head}: lock confirmed (T0) -> mint broadcast, all ${r.n} in ${sec(r.windowMs)} s = ${r.transfersPerSec.toFixed(1)} transfers/s; latency p50 ${sec(r.latencyMs.p50)} s, p99 ${sec(r.latencyMs.p99)} s`);
  } else {
    log(`${head}: PARTIAL, cap of ${sec(CAP_MS)} s hit: ${r.done} of ${r.n} mints broadcast in ${sec(r.windowMs)} s after T0 = ${r.transfersPerSec.toFixed(1)} transfers/s; latency p50 ${sec(r.latencyMs.p50)} s, p99 ${sec(r.latencyMs.p99)} s`);
  }
  const ms = r.milestones;
  log(`  s after T0 by which 50% / 100% of the N were: ${MILESTONES.map((m) => `${{ verified: 'verified', signStart: 'signing started', signed: 'mint signed', broadcast: 'broadcast' }[m]} ${sec(ms[m].p50)}/${sec(ms[m].all)}${ms[m].reached < r.n ? ` (${ms[m].reached} reached)` : ''}`).join(', ')}`);
  const g = r.gaps;
  log(`  per transfer, median s: T0->verified ${sec(g.toVerified)} (confirm + verify queues), verified->signing started ${sec(g.toSignStart)} (sign queue + re-prove), ->mint signed ${sec(g.toSigned)}, ->broadcast ${sec(g.toBroadcast)} (broadcast queue + send)`);
  const noop = Object.entries(r.noop).map(([p, v]) => `${plural(Number(p))} ${rate(v.jobsPerSec)} jobs/s`).join(', ');
  const base = r.noop[r.processes]!.jobsPerSec;
  log(`  BullMQ no-op jobs, same redis-server, ${r.n} jobs, concurrency ${NOOP_CONCURRENCY} per process (median of ${NOOP_RUNS}): ${noop}; transfers/s / (no-op jobs/s / ${STAGES} stages) = ${(r.transfersPerSec / (base / STAGES)).toFixed(4)}, transfers/s / no-op jobs/s = ${(r.transfersPerSec / base).toFixed(4)} (no-op with ${plural(r.processes)})`);
  const c = cpuPerTransfer(r);
  const one = r.noop[1]!;
  log(`  CPU ms per transfer in the window: relayer${r.processes > 1 ? 's' : ''} ${c.relayer.toFixed(1)}, side node ${c.side.toFixed(1)}, main node ${c.main.toFixed(1)}, redis ${c.redis.toFixed(1)}; BullMQ no-op per job (1 process): worker ${one.workerCpuMsPerJob.toFixed(2)}, redis ${one.redisCpuMsPerJob.toFixed(2)}, so ${STAGES} jobs = ${(STAGES * (one.workerCpuMsPerJob + one.redisCpuMsPerJob)).toFixed(1)} ms`);
  log(`  side node mempool at the end: ${r.sideMempool.size} mints, ${(r.sideMempool.bytes / 1e6).toFixed(2)} MB (it validated and holds them: part of the cost)`);
  log(`  untimed: watcher recorded the ${r.n} locks ${sec(r.recordMs)} s after their block, all confirming after ${sec(r.confirmingMs)} s; phases (s) ${Object.entries(r.phases).map(([k, v]) => `${k} ${sec(v)}`).join(', ')}; warn+ log lines ${r.warnLines}${r.warnLines > 0 ? ` (${r.warnKinds})` : ''}; load avg ${r.load.toFixed(1)}`);
}

export async function benchRelayer(log: (line: string) => void): Promise<SuiteResult> {
  const measurementsPlanned = SIZES.length + (SCALE_N > 0 ? SCALE_PROCESSES.length + 1 : 0);
  const base = await BenchBase.start(measurementsPlanned);
  try {
    return await suite(base, log);
  } finally {
    await base.stop();
  }
}

async function suite(base: BenchBase, log: (line: string) => void): Promise<SuiteResult> {
  log(`lock transactions of ${LOCKS_PER_TX} lock outputs + 1 memo, in one block; relayer worker concurrency ${JSON.stringify(CONCURRENCY)}; T0 = return of the generatetoaddress giving the locks their 2nd (last needed) confirmation; latency = broadcast event time - T0; throughput = N / last latency`);
  const runs: PipelineRun[] = [];
  // the scale-out's 1-process run comes right before its 2- and 4-process runs (the load of a shared machine drifts)
  for (const n of SIZES.filter((x) => SCALE_N <= 0 || x !== SCALE_N)) {
    const r = await runPipeline(base, n, 1);
    report(r, log);
    runs.push(r);
  }
  const scale: PipelineRun[] = [];
  if (SCALE_N > 0) {
    const one = await runPipeline(base, SCALE_N, 1);
    report(one, log);
    if (SIZES.includes(SCALE_N)) runs.push(one);
    scale.push(one);
    for (const p of SCALE_PROCESSES) {
      const r = await runPipeline(base, SCALE_N, p);
      report(r, log);
      scale.push(r);
    }
    log(`scale-out, N=${SCALE_N.toLocaleString('en-US')}: ${scale.map((r) => `${plural(r.processes)} ${r.transfersPerSec.toFixed(1)} transfers/s (x${(r.transfersPerSec / one.transfersPerSec).toFixed(2)})`).join(', ')}; BullMQ no-op jobs/s with the same process counts: ${scale.map((r) => `${rate(r.noop[r.processes]!.jobsPerSec)} (x${(r.noop[r.processes]!.jobsPerSec / one.noop[1]!.jobsPerSec).toFixed(2)})`).join(', ')}; relayer CPU ms per transfer: ${scale.map((r) => cpuPerTransfer(r).relayer.toFixed(0)).join(', ')}`);
    log(`  this machine has 2 cores (shared with other users), running both devnet nodes, Redis and every relayer process: little gain is expected past 2 processes`);
  }

  const measurements: Measurement[] = [];
  const ratios: Record<string, number> = {};
  const figures: Record<string, number | string> = { locksPerTransaction: LOCKS_PER_TX, mintFee: Number(MINT_FEE), noopConcurrency: NOOP_CONCURRENCY, concurrency: JSON.stringify(CONCURRENCY), capSeconds: CAP_MS / 1000 };
  for (const r of [...runs, ...scale.filter((x) => !runs.includes(x))]) {
    const tag = `n${r.n}p${r.processes}`;
    const partial = r.done < r.n ? ` (PARTIAL: ${r.done} of ${r.n} within the cap)` : '';
    measurements.push({ name: `relayer lock confirmed -> mint broadcast, N=${r.n}, ${plural(r.processes)}${partial}`, opsPerSec: r.transfersPerSec, runs: [Number(r.transfersPerSec.toFixed(2))], unit: 'transfers/s' });
    for (const [p, v] of Object.entries(r.noop)) {
      measurements.push({ name: `BullMQ no-op jobs, ${r.n} jobs, ${plural(Number(p))}, concurrency ${NOOP_CONCURRENCY} (with ${tag})`, opsPerSec: v.jobsPerSec, runs: [Math.round(v.jobsPerSec)], unit: 'jobs/s' });
    }
    const base = r.noop[r.processes]!.jobsPerSec;
    ratios[`${tag}VsNoopPer${STAGES}Jobs`] = r.transfersPerSec / (base / STAGES);
    ratios[`${tag}VsNoop`] = r.transfersPerSec / base;
    Object.assign(figures, {
      [`${tag}Broadcast`]: r.done,
      [`${tag}WindowMs`]: r.windowMs,
      [`${tag}LatencyP50Ms`]: Number.isFinite(r.latencyMs.p50) ? r.latencyMs.p50 : 'beyond cap',
      [`${tag}LatencyP99Ms`]: Number.isFinite(r.latencyMs.p99) ? r.latencyMs.p99 : 'beyond cap',
      [`${tag}Milestones`]: JSON.stringify(r.milestones, (_k, v: unknown) => (v === Infinity ? null : v)),
      [`${tag}MedianGapsMs`]: JSON.stringify(r.gaps),
      [`${tag}RecordMs`]: r.recordMs,
      [`${tag}SideMempoolMints`]: r.sideMempool.size,
      [`${tag}SideMempoolBytes`]: r.sideMempool.bytes,
      [`${tag}CpuSeconds`]: JSON.stringify(r.cpu),
      [`${tag}CpuMsPerTransfer`]: JSON.stringify(cpuPerTransfer(r), (_k, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(2)) : v)),
      [`${tag}NoopCpuMsPerJob`]: JSON.stringify(r.noop),
      [`${tag}PhasesMs`]: JSON.stringify(r.phases),
      [`${tag}WarnLines`]: r.warnLines,
      [`${tag}Warnings`]: r.warnKinds,
      [`${tag}LoadAvg`]: Number(r.load.toFixed(2)),
    });
  }
  const one = scale[0];
  for (const r of scale.slice(1)) ratios[`scaleOut${r.processes}vs1N${r.n}`] = r.transfersPerSec / one!.transfersPerSec;
  return { suite: 'relayer', measurements, ratios, figures, targets: [] };
}
