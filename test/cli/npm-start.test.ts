/**
 * `npm start -- --once` as a fresh clone runs it: the devnet chains, a private redis-server (no
 * Redis answers at REDIS_URL here, on purpose), the relayer, a peg-in and a peg-out, exit 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../relayer/redis/redis-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('npm start -- --once: a peg-in and a peg-out on a private Redis, then exit 0', { timeout: 240_000 }, async () => {
  const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
  const child = spawn(process.execPath, [join(root, 'bin/utxo-relay.js'), 'demo', '--once'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, out);
  assert.match(out, /started a private redis-server/);
  assert.match(out, /peg-in complete: side balance 1\.49999000/);
  assert.match(out, /peg-out complete: release [0-9a-f]{64} paid/);
  assert.match(out, /demo done \(--once\)/);
});
