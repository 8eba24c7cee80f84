/**
 * Access to the shared real-chain fixtures (read in place, never copied into the project).
 * The folder is `../shared/fixtures` next to the project root unless UTXO_RELAY_FIXTURES names
 * another. A test that needs a missing fixture is skipped with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export const FIXTURES_DIR = resolve(process.env['UTXO_RELAY_FIXTURES'] ?? join(projectRoot, '..', 'shared', 'fixtures'));

export function fixturePath(relativePath: string): string {
  return join(FIXTURES_DIR, relativePath);
}

/** `{ skip: reason }` for node:test when the fixture is missing, else `{}`. */
export function needsFixture(relativePath: string): { skip?: string } {
  return existsSync(fixturePath(relativePath)) ? {} : { skip: `fixture ${relativePath} not found under ${FIXTURES_DIR}` };
}

export function readFixture(relativePath: string): Buffer {
  return readFileSync(fixturePath(relativePath));
}

export function readFixtureText(relativePath: string): string {
  return readFileSync(fixturePath(relativePath), 'utf8');
}

export function readFixtureJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readFixtureText(relativePath)) as T;
}
