/**
 * `npm run bench [-- suite...]`: runs the benchmark suites, prints throughput and ratios to
 * baselines measured in the same run, and writes bench/results/<suite>-<timestamp>.json and
 * bench/results/<suite>-latest.json. Exits 1 when a stated target is missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteResult } from './harness.js';
import { benchDevnet } from './devnet.js';
import { benchHeaders } from './headers.js';
import { benchMerkle } from './merkle.js';
import { benchRelayer } from './relayer.js';

const SUITES: Record<string, (log: (line: string) => void) => SuiteResult | Promise<SuiteResult>> = {
  headers: benchHeaders,
  merkle: benchMerkle,
  devnet: benchDevnet,
  relayer: benchRelayer,
};

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in SUITES));
if (unknown.length > 0) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}
const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' };
let missed = 0;
mkdirSync(resultsDir, { recursive: true });
for (const name of wanted.length > 0 ? wanted : Object.keys(SUITES)) {
  console.log(`\n== ${name} ==`);
  const result = await SUITES[name]!((line) => console.log(line));
  const stamp = new Date().toISOString().replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const record = JSON.stringify({ ...result, machine, at: new Date().toISOString() }, null, 2);
  writeFileSync(join(resultsDir, `${name}-${stamp}.json`), record);
  writeFileSync(join(resultsDir, `${name}-latest.json`), record);
  for (const t of result.targets) {
    console.log(`${t.met ? 'MET   ' : 'MISSED'} ${t.name} (${t.value.toFixed(3)})`);
    if (!t.met) missed++;
  }
}
process.exitCode = missed > 0 ? 1 : 0;
