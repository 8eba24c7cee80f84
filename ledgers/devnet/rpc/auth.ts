/**
 * RPC authentication as Bitcoin Core does it: HTTP basic auth against either the operator's
 * `--rpc-user/--rpc-password` or, when none is set, a random cookie: the file `.cookie` holding
 * `__cookie__:<64 hex digits>` in the data directory (written to `.cookie.tmp`, then renamed, mode
 * 0600), deleted again on shutdown. Credentials are compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const COOKIE_USER = '__cookie__';
export const COOKIE_FILE = '.cookie';
/** Core's WWW-Authenticate header value for a 401. */
export const WWW_AUTHENTICATE = 'Basic realm="jsonrpc"';

export interface RpcCredentials {
  readonly user: string;
  readonly password: string;
}

/** True when an `Authorization` header carries exactly these credentials (Core's RPCAuthorized). */
export function isAuthorized(header: string | undefined, expected: RpcCredentials): boolean {
  if (header === undefined || !header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  if (!decoded.includes(':')) return false;
  return equalSecret(decoded, `${expected.user}:${expected.password}`);
}

/** Writes a fresh cookie into `dir` and returns its path and the credentials it grants. */
export async function writeCookie(dir: string): Promise<{ path: string; credentials: RpcCredentials }> {
  const credentials = { user: COOKIE_USER, password: randomBytes(32).toString('hex') };
  const path = join(dir, COOKIE_FILE);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, `${credentials.user}:${credentials.password}`, { mode: 0o600 });
  await rename(tmp, path);
  return { path, credentials };
}

/** Removes a cookie this process wrote; a file already gone is fine. */
export async function removeCookie(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Reads `user:password` from a cookie file's text (what clients of a cookie-authenticated node do). */
export function parseCookie(text: string): RpcCredentials {
  const line = text.split('\n')[0]!.trim();
  const colon = line.indexOf(':');
  if (colon < 0) throw new RangeError('cookie: expected "user:password"');
  return { user: line.slice(0, colon), password: line.slice(colon + 1) };
}

function equalSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
