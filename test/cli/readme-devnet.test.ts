/**
 * The README's devnet example (the `sh` block under "## The devnet"), run as written: two node
 * processes, a wallet funded by mining, a lock. Its nodes run in the script's process group, which
 * the test kills at the end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the README devnet example runs as written and locks 1.5 coins', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const script = /## The devnet[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(script !== undefined, 'the README has a devnet sh block');
  const home = mkdtempSync(join(tmpdir(), 'utxo-relay-readme-'));
  rmSync('/tmp/devnet-main', { recursive: true, force: true });
  rmSync('/tmp/devnet-side', { recursive: true, force: true });
  const child = spawn('bash', ['-c', script], { cwd: root, detached: true, env: { ...process.env, UTXO_RELAY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  try {
    // the script ends after the lock; its two nodes keep running in its process group
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const text = stdout.split('\n').filter((l) => !l.startsWith('{')).join('\n');
    assert.equal(code, 0, text);
    assert.match(text, /100\.00000000 coins spendable in 2 outputs on the devnet main chain/);
    assert.match(text, /locked 1\.5 coins with the federation \(udm1p[0-9a-z]+\) for uds1q[0-9a-z]+\ntxid [0-9a-f]{64}/);
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // the group is already gone
    }
    rmSync(home, { recursive: true, force: true });
  }
});
