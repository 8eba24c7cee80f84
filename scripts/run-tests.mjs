#!/usr/bin/env node
// Runs every *.test.ts under the source folders with Node's test runner (tsx loads TypeScript),
// prints the spec report, and ends with one plain summary line: "N passed, N failed, N skipped".
// Usage: npm test [-- <path filter substring>...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folders = ['proofs', 'ledgers', 'relayer', 'config', 'test'];
const filters = process.argv.slice(2);

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const files = folders.flatMap((f) => walk(join(root, f), [])).sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Two test files at a time (Node's default here is one): the end-to-end files mostly wait on
// child processes (devnet nodes, relayers, Redis). UTXO_RELAY_TEST_CONCURRENCY overrides it.
const concurrency = process.env.UTXO_RELAY_TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts/summary-reporter.mjs')}`, '--test-reporter-destination=stdout',
  ...files,
], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
