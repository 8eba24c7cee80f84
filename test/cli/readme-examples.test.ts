/**
 * The README's `console` examples are pasted into a shell exactly as written: each `$ command`
 * runs from the repository root and its stdout must equal the lines that follow it. The exit code
 * must be 1 when the expected JSON carries an "error", else 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const fixturesBeside = existsSync(join(root, '..', 'shared', 'fixtures', 'bitcoin'));

interface Example {
  readonly command: string;
  readonly expected: string;
}

function examples(): Example[][] {
  const blocks = [...readme.matchAll(/```console\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.map((block) => {
    const out: { command: string; expected: string[] }[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('$ ')) out.push({ command: line.slice(2), expected: [] });
      else if (line !== '') out[out.length - 1]!.expected.push(line);
    }
    return out.map((e) => ({ command: e.command, expected: e.expected.join('\n') }));
  });
}

describe('README examples', { skip: fixturesBeside ? false : 'the README examples read ../shared/fixtures, which is not beside this checkout' }, () => {
  const blocks = examples();
  test('the README has console examples', () => assert.ok(blocks.length >= 4));
  blocks.forEach((block, b) => {
    test(`example block ${b + 1}: ${block.map((e) => e.command.split(' ').slice(0, 4).join(' ')).join('; ')}`, () => {
      for (const { command, expected } of block) {
        const run = spawnSync('bash', ['-c', command], { cwd: root, encoding: 'utf8' });
        assert.equal(run.stdout.trim(), expected, `stdout of: ${command}\nstderr: ${run.stderr}`);
        const wantExit = expected === '' ? 0 : expected.includes('"error":') ? 1 : 0;
        assert.equal(run.status, wantExit, `exit code of: ${command}`);
      }
    });
  });
});
