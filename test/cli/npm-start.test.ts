/**
 * `npm start -- --once` as a fresh clone runs it: the devnet chains, a private redis-server (no
 * Redis answers at REDIS_URL here, on purpose), the relayer, a peg-in and a peg-out, exit 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('npm start -- --once: a peg-in and a peg-out on a private Redis, then exit 0', { timeout: 240_000 }, async () => {
  const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${await deadPort()}` };
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
