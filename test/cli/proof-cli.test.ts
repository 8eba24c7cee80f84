/** The proof CLI's contract: one JSON object on stdout; exit 0 valid, 1 invalid (with error.index), 2 usage. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { fixturePath, needsFixture } from '../fixtures.js';

const bin = fileURLToPath(new URL('../../bin/utxo-relay.js', import.meta.url));
const RUN = 'bitcoin/btcrelay_mainnet_headers_bh80_100k.txt';

function cli(args: string[], input?: string): { status: number | null; json: Record<string, unknown> | undefined; stderr: string } {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  const out = run.stdout.trim();
  return { status: run.status, json: out === '' ? undefined : (JSON.parse(out) as Record<string, unknown>), stderr: run.stderr };
}

describe('proof CLI', () => {
  test('usage errors exit 2 with a message on stderr and nothing on stdout', () => {
    for (const args of [
      ['proof', 'headers', '--network', 'nosuchnet', 'x'],
      ['proof', 'headers', '--network', 'mainnet', '/nonexistent/file'],
      ['proof', 'headers', '--network', 'mainnet', '--anchor-height', 'abc', '-'],
      ['proof', 'headers', 'x'],
      ['proof', 'txout', '--network', 'mainnet', 'zz'],
      ['proof', 'branch', '--txid', 'ab', '--index', '0', '--root', 'cd'],
      ['proof', 'nosuchcommand'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.json, undefined);
      assert.ok(r.stderr.length > 0);
    }
  });

  test('--help exits 0 and prints usage', () => {
    const run = spawnSync(process.execPath, [bin, 'proof', 'headers', '--help'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.match(run.stdout, /--anchor-height/);
  });

  test('headers from stdin: a corrupted header is named by its index', needsFixture(RUN), () => {
    const lines = readFileSync(fixturePath(RUN), 'utf8').trim().split('\n').slice(639, 650);
    const good = cli(['proof', 'headers', '--network', 'mainnet', '--anchor-height', '80640', '-'], lines.join('\n'));
    assert.equal(good.status, 0);
    assert.deepEqual(good.json, { accepted: 10, tip: { height: 80650, hash: good.json && (good.json['tip'] as { hash: string }).hash }, reorgs: 0 });
    const bad = [...lines];
    bad[5] = bad[5]!.slice(0, 150) + (bad[5]![150] === '0' ? '1' : '0') + bad[5]!.slice(151);
    const r = cli(['proof', 'headers', '--network', 'mainnet', '--anchor-height', '80640', '-'], bad.join('\n'));
    assert.equal(r.status, 1);
    assert.equal(r.json?.['accepted'], 4);
    assert.deepEqual({ ...(r.json?.['error'] as object), message: undefined }, { code: 'HEADER_BAD_POW', message: undefined, index: 5 });
    const notHex = [...lines.slice(0, 3), 'xyz'];
    const m = cli(['proof', 'headers', '--network', 'mainnet', '--anchor-height', '80640', '-'], notHex.join('\n'));
    assert.equal(m.status, 1);
    assert.equal((m.json?.['error'] as { code: string; index: number }).code, 'HEADER_MALFORMED');
    assert.equal((m.json?.['error'] as { code: string; index: number }).index, 3);
  });

  test('a block with one changed byte is refused, and a block file may hold hex', needsFixture('bitcoin/block413567.raw'), () => {
    const raw = readFileSync(fixturePath('bitcoin/block413567.raw'));
    const dir = mkdtempSync(join(tmpdir(), 'utxo-relay-cli-'));
    writeFileSync(join(dir, 'block.hex'), `${raw.toString('hex')}\n`);
    assert.equal(cli(['proof', 'block', '--network', 'mainnet', join(dir, 'block.hex')]).json?.['txCount'], 1557);
    const changed = Buffer.from(raw);
    changed[5000] = changed[5000]! ^ 0xff;
    writeFileSync(join(dir, 'changed.raw'), changed);
    const r = cli(['proof', 'block', '--network', 'mainnet', join(dir, 'changed.raw')]);
    assert.equal(r.status, 1);
    assert.ok(typeof (r.json?.['error'] as { code: string }).code === 'string');
  });
});
