/**
 * The operator's commands (docs/operator.md): `transfers list|show|retry|approve`, `pause`,
 * `resume`, `status`. Each reads the deployment's config (`--config`, else $UTXO_RELAY_CONFIG),
 * talks to its Redis only (no chain node is contacted), and prints text, or JSON with `--json`.
 * Exit codes: 0 done; 1 refused or failed (an unknown transfer, an action the transfer's state
 * does not allow, a bad config, Redis away): the error's code and message on stderr, or
 * `{"error":{"code","message"}}` on stdout with --json; 2 usage error (a malformed argument).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../../config/index.js';
import { formatCoins } from '../../../ledgers/bitcoin/amount.js';
import { UtxoRelayError } from '../../../proofs/base-error.js';
import {
  approveTransfer,
  listTransfers,
  pauseDirection,
  resumeDirection,
  retryTransfer,
  showTransfer,
  status,
  type DirectionChoice,
  type RetryResult,
  type Status,
  type TransferDetails,
} from '../../operator/actions.js';
import { openOperatorStore, type OperatorStore } from '../../operator/operator-store.js';
import type { PauseReason } from '../../store/controls.js';
import { DIRECTIONS, parseTransferId, TRANSFER_STATES, type Direction, type Transfer, type TransferId, type TransferState } from '../../transfer.js';
import type { SetExit } from '../proof/output.js';
import { UsageError } from '../usage-error.js';

/** The environment variable naming the config file when --config is not given. */
export const CONFIG_ENV = 'UTXO_RELAY_CONFIG';

interface CommonOptions {
  config?: string;
  json?: boolean;
}

/** What a command prints: `json` with --json, else `text` (one or more lines). */
interface Output {
  readonly json: unknown;
  readonly text: string;
}

export function registerOperatorCommands(program: Command, setExit: SetExit): void {
  const transfers = program.command('transfers').description("the deployment's transfers: list, show, retry, approve (docs/operator.md)");

  common(transfers.command('list'))
    .description('transfers, newest first: id, direction, state, amount, reason, last update')
    .option('--state <STATE>', `only this state: ${TRANSFER_STATES.join(', ')}`)
    .option('--direction <DIRECTION>', 'only pegin or pegout')
    .option('--limit <N>', 'at most N transfers', '100')
    .action(async (o: CommonOptions & { state?: string; direction?: string; limit: string }) => {
      const filter = {
        ...(o.state === undefined ? {} : { state: stateArg(o.state) }),
        ...(o.direction === undefined ? {} : { direction: directionArg(o.direction, '--direction', false) as Direction }),
        limit: positiveInteger('--limit', o.limit),
      };
      setExit(await run(o, async (os) => {
        const list = await listTransfers(os, filter);
        return { json: list, text: listText(list) };
      }));
    });

  common(transfers.command('show'))
    .description('one transfer: its record, its history, and any failed job of it with the failure reason')
    .argument('<ID>', 'transfer id: in-<txid>-<vout> or out-<txid>-<vout>')
    .action(async (idText: string, o: CommonOptions) => {
      const id = idArg(idText);
      setExit(await run(o, async (os) => {
        const d = await showTransfer(os, id);
        return { json: d, text: showText(d) };
      }));
    });

  common(transfers.command('retry'))
    .description('send a transfer on again: a held one is verified again in full; a failed job is retried')
    .argument('<ID>', 'transfer id: in-<txid>-<vout> or out-<txid>-<vout>')
    .action(async (idText: string, o: CommonOptions) => {
      const id = idArg(idText);
      setExit(await run(o, async (os) => retryText(await retryTransfer(os, id))));
    });

  common(transfers.command('approve'))
    .description("approve a held transfer past the governor's caps (its proof is still checked) and send it on")
    .argument('<ID>', 'transfer id: in-<txid>-<vout> or out-<txid>-<vout>')
    .action(async (idText: string, o: CommonOptions) => {
      const id = idArg(idText);
      setExit(await run(o, async (os) => retryText(await approveTransfer(os, id))));
    });

  common(program.command('pause'))
    .description('stop signing and broadcasting in a direction (jobs wait; nothing is lost) until resume')
    .argument('<DIRECTION>', 'pegin, pegout or all')
    .option('--reason <TEXT>', 'why (shown by status and resume)', 'no reason given')
    .action(async (dirText: string, o: CommonOptions & { reason: string }) => {
      const choice = directionArg(dirText, 'DIRECTION', true);
      setExit(await run(o, async (os) => {
        const paused = await pauseDirection(os, choice, o.reason);
        const text = paused.map((p) => (p.already ? `${p.direction} was already paused (${pauseText(p.pause)}): that pause is kept` : `${p.direction} paused (${pauseText(p.pause)})`));
        return { json: { paused }, text: [...text, 'jobs of a paused direction wait before signing and broadcasting; `utxo-relay resume` lets them go on'].join('\n') };
      }));
    });

  common(program.command('resume'))
    .description('lift the pause of a direction; says who paused it and why')
    .argument('<DIRECTION>', 'pegin, pegout or all')
    .action(async (dirText: string, o: CommonOptions) => {
      const choice = directionArg(dirText, 'DIRECTION', true);
      setExit(await run(o, async (os) => {
        const resumed = await resumeDirection(os, choice);
        const text = resumed.map((r) => (r.was === undefined ? `${r.direction} was not paused` : `${r.direction} resumed (it was paused by ${pauseText(r.was)})`));
        return { json: { resumed }, text: text.join('\n') };
      }));
    });

  common(program.command('status'))
    .description('transfers per state, jobs per stage, paused directions, the last alerts, the chain cursors')
    .action(async (o: CommonOptions) => {
      setExit(await run(o, async (os) => {
        const s = await status(os);
        return { json: s, text: statusText(s) };
      }));
    });
}

function common(cmd: Command): Command {
  return cmd
    .option('--config <FILE>', `the relayer config (YAML, docs/config.md) [default: $${CONFIG_ENV}]`)
    .option('--json', 'print JSON instead of text');
}

// ---------------------------------------------------------------------------------------------
// running a command

async function run(o: CommonOptions, work: (os: OperatorStore) => Promise<Output>): Promise<number> {
  const path = o.config ?? nonEmpty(process.env[CONFIG_ENV]);
  if (path === undefined) throw new UsageError(`--config <FILE> is required: the relayer config (or set ${CONFIG_ENV} to its path)`);
  let os: OperatorStore | undefined;
  try {
    os = await openOperatorStore(loadConfig(path));
    const out = await work(os);
    process.stdout.write(o.json === true ? `${toJson(out.json)}\n` : `${out.text}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof UtxoRelayError)) throw e;
    if (o.json === true) process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
    else process.stderr.write(`utxo-relay: ${e.code}: ${e.message}\n(see ${e.docsPath})\n`);
    return 1;
  } finally {
    await os?.close();
  }
}

/** JSON with bigints as decimal strings. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

// ---------------------------------------------------------------------------------------------
// arguments

function idArg(text: string): TransferId {
  try {
    return parseTransferId(text).id;
  } catch (e) {
    throw new UsageError(`<ID>: ${(e as Error).message}`);
  }
}

function directionArg(text: string, name: string, allowAll: boolean): DirectionChoice {
  if ((DIRECTIONS as readonly string[]).includes(text) || (allowAll && text === 'all')) return text as DirectionChoice;
  throw new UsageError(`${name}: expected ${allowAll ? 'pegin, pegout or all' : 'pegin or pegout'}, got ${JSON.stringify(text)}`);
}

function stateArg(text: string): TransferState {
  if ((TRANSFER_STATES as readonly string[]).includes(text)) return text as TransferState;
  throw new UsageError(`--state: expected one of ${TRANSFER_STATES.join(', ')}, got ${JSON.stringify(text)}`);
}

function positiveInteger(name: string, text: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw new UsageError(`${name}: expected a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

// ---------------------------------------------------------------------------------------------
// text output

function time(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function pauseText(p: PauseReason): string {
  return `${p.by} at ${time(p.at)}: ${p.reason}`;
}

function listText(list: readonly Transfer[]): string {
  if (list.length === 0) return 'no transfers';
  const rows = list.map((t) => [t.id, t.direction, t.state, formatCoins(t.amount), t.reason?.code ?? '-', time(t.updatedAt)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 3 ? cell.padStart(widths[i]!) : i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

const CAP_CODES = new Set(['OVER_TRANSFER_CAP', 'OVER_DAILY_CAP']);

function showText(d: TransferDetails): string {
  const t = d.transfer;
  const lines = [
    `transfer    ${t.id}`,
    `direction   ${t.direction}`,
    `state       ${t.state} (generation ${t.generation})`,
    `amount      ${formatCoins(t.amount)} coins${t.payoutAmount === undefined ? '' : ` (pays ${formatCoins(t.payoutAmount)})`}`,
    `destination ${t.destination}`,
    `source      ${t.source.txid}:${t.source.vout} in block ${t.source.blockHash} at height ${t.source.height}`,
  ];
  if (t.reason !== undefined) lines.push(`reason      ${t.reason.code}: ${t.reason.message}`);
  if (t.approved === true) lines.push("approved    yes (the governor's caps do not apply to it)");
  if (t.proof !== undefined) lines.push(`proof       block ${t.proof.blockHash} at height ${t.proof.height}, ${t.proof.confirmations} confirmations, checked ${time(t.proof.checkedAt)}`);
  if (t.payout !== undefined) lines.push(`payout      ${t.payout.txid} (fee ${formatCoins(t.payout.fee)}${t.payout.broadcastHeight === undefined ? '' : `, broadcast at height ${t.payout.broadcastHeight}`})`);
  for (const p of t.payoutHistory ?? []) lines.push(`replaced    ${p.txid} (fee ${formatCoins(p.fee)})`);
  lines.push(`created     ${time(t.createdAt)}`, `updated     ${time(t.updatedAt)}`);
  if (d.job !== undefined) lines.push(`job         ${d.job.jobId} (${d.job.state})`);
  lines.push('history:');
  for (const e of d.history) lines.push(`  ${time(e.at)}  ${e.from === undefined ? '' : `${e.from} -> `}${e.to}  ${e.note}`);
  for (const f of d.failedJobs) lines.push(`failed job  ${f.jobId} (${f.stage}, ${f.attemptsMade} attempts, ${time(f.finishedOn)}): ${f.failedReason}`);
  const next = nextStep(d);
  if (next !== undefined) lines.push(`next: ${next}`);
  return lines.join('\n');
}

function nextStep(d: TransferDetails): string | undefined {
  const t = d.transfer;
  if (d.failedJobs.length > 0) return `fix the cause of the failure above, then \`utxo-relay transfers retry ${t.id}\``;
  switch (t.state) {
    case 'held':
      if (t.reason !== undefined && CAP_CODES.has(t.reason.code) && t.approved !== true) {
        return `\`utxo-relay transfers approve ${t.id}\` lets it past the caps${t.reason.code === 'OVER_DAILY_CAP' ? ' (or it moves on by itself once the 24-hour window has room)' : ''}`;
      }
      return `find out why it is held (the reason above; a node that gave a bad answer: fix or replace it), then \`utxo-relay transfers retry ${t.id}\``;
    case 'rejected':
      return 'nothing: it moves no value; the deposit is listed for refund';
    case 'reorged':
      return 'nothing: it comes back by itself if its output is mined again';
    default:
      return undefined;
  }
}

function retryText(r: RetryResult): Output {
  return { json: r, text: r.message };
}

function statusText(s: Status): string {
  const lines = [`deployment  ${s.deployment}`, `transfers   ${TRANSFER_STATES.map((st) => `${st} ${s.transfers[st]}`).join(', ')}`, 'jobs'];
  for (const [stage, counts] of Object.entries(s.jobs)) {
    lines.push(`  ${stage.padEnd(10)}${['wait', 'active', 'delayed', 'failed', 'completed'].map((k) => `${k} ${counts[k] ?? 0}`).join(', ')}`);
  }
  const paused = DIRECTIONS.filter((d) => s.paused[d] !== undefined);
  lines.push(`paused      ${paused.length === 0 ? 'none' : paused.map((d) => `${d} (${pauseText(s.paused[d]!)})`).join('; ')}`);
  for (const d of DIRECTIONS) {
    const g = s.governor[d];
    lines.push(`governor    ${d}: ${formatCoins(g.used)} coins in the last 24 h${g.dailyCap === undefined ? '' : ` of a ${formatCoins(g.dailyCap)} cap`}${g.maxPerTransfer === undefined ? '' : `, at most ${formatCoins(g.maxPerTransfer)} a transfer`}`);
  }
  for (const role of ['main', 'side'] as const) {
    const c = s.cursors[role];
    lines.push(`cursor      ${role}: ${c === null ? 'none yet (no block processed)' : `height ${c.height} ${c.hash}`}`);
  }
  if (s.alerts.length === 0) lines.push('alerts      none');
  else {
    lines.push(`alerts      the last ${s.alerts.length}, newest first:`);
    for (const a of s.alerts) lines.push(`  ${time(a.at)}  ${a.kind}  ${a.message}`);
  }
  return lines.join('\n');
}
