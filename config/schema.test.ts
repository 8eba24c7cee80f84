import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { closestKey, configKeyPaths, describeValue, formatPath } from './schema.js';

const docs = readFileSync(new URL('../docs/config.md', import.meta.url), 'utf8');

test('docs/config.md has a row for every key, saying [Required] or [Default: ...]', () => {
  const paths = new Set(configKeyPaths().map((p) => p.replace(/^chains\.(main|side)/, 'chains.<role>')));
  assert.ok(paths.size > 50);
  for (const path of paths) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
    assert.ok(row !== undefined, `docs/config.md has no row for ${path}`);
    assert.match(row, /\[(Required|Default)/, `the row of ${path} says neither [Required] nor [Default: ...]`);
  }
});

for (const file of ['devnet.yaml', 'example.yaml']) test(`config/${file} comments every key it sets with [Required] or [Default: ...]`, () => {
  const known = new Set(configKeyPaths());
  const lines = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8').split('\n');
  const stack: { indent: number; key: string }[] = [];
  let checked = 0;
  lines.forEach((line, i) => {
    const m = /^(\s*)(?:- )?([A-Za-z]+):/.exec(line);
    if (m === null) return;
    const indent = m[1]!.length;
    while (stack.length > 0 && stack.at(-1)!.indent >= indent) stack.pop();
    stack.push({ indent, key: m[2]! });
    const path = stack.map((s) => s.key).join('.');
    if (!known.has(path)) return; // inside a chain's options: the adapter's keys
    let j = i - 1;
    const comments = [line.includes('#') ? line.slice(line.indexOf('#')) : ''];
    while (j >= 0 && lines[j]!.trimStart().startsWith('#')) comments.push(lines[j--]!);
    assert.match(comments.join('\n'), /\[(Required|Default)/, `${file} line ${i + 1} (${path}) has no [Required]/[Default] comment`);
    checked++;
  });
  assert.ok(checked > 30, `only ${checked} keys checked`);
});

test('key paths are dotted with array indexes; odd keys quoted', () => {
  assert.equal(formatPath(['chains', 'main', 'options', 'endpoints', 0, 'url']), 'chains.main.options.endpoints[0].url');
  assert.equal(formatPath([]), '');
  assert.equal(formatPath(['a', 'b.c']), 'a["b.c"]');
});

test('an unknown key is matched to the closest known one, if close', () => {
  assert.equal(closestKey('confirmation', ['confirmations', 'startHeight']), 'confirmations');
  assert.equal(closestKey('KEYFILE', ['keyFile', 'keyEnv']), 'keyFile');
  assert.equal(closestKey('zzz', ['afterBlocks', 'factor']), undefined);
});

test('values in messages: short, no secrets, no mappings', () => {
  assert.equal(describeValue('six'), '"six"');
  assert.equal(describeValue(undefined), 'nothing');
  assert.equal(describeValue({ password: 'x' }), 'a mapping');
  assert.equal(describeValue([1]), 'a list');
  assert.equal(describeValue('a'.repeat(64)), 'a string of 64 characters (not shown: it may be a key)');
  assert.equal(describeValue('redis://u:secret@h:1'), '"redis://u:***@h:1"');
});
