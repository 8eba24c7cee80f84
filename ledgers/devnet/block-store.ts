/**
 * Persistence of a devnet node (docs/devnet.md, "Persistence"): every accepted block appended to
 * `<datadir>/blocks.dat` as a record `magic (4) | length (u32 LE) | raw block`, written with a
 * synchronous write before the block is acted on, and the operator's invalidations in
 * `<datadir>/invalidated.json` (`{"invalidated": ["<block hash, display hex>", ...]}`, replaced
 * atomically). At start the chain replays the records in order, revalidating every block.
 *
 * A record cut short at the end of the file (a crash during the write) is dropped and the file
 * truncated to the last whole record; a wrong magic anywhere else is refused: that file is not
 * this network's.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { assertBytes, displayToHash, equalBytes, hashToDisplay } from '../../proofs/bytes.js';
import { DevnetStoreError } from './errors.js';

const HEADER_BYTES = 8;
/** Largest record accepted (a block is at most 4,000,000 bytes). */
const MAX_RECORD = 4_000_000;

/** One datadir's blocks.dat (append-only) and invalidated.json. */
export class BlockStore {
  private fd: number | undefined;
  private readonly blocksPath: string;
  private readonly invalidatedPath: string;
  /** Records appended or read so far. */
  count = 0;

  private constructor(
    readonly datadir: string,
    private readonly magic: Uint8Array,
  ) {
    this.blocksPath = join(datadir, 'blocks.dat');
    this.invalidatedPath = join(datadir, 'invalidated.json');
  }

  /**
   * Opens (creating when needed) the store of `datadir` for a network whose records start with
   * `magic`, and returns it with the blocks already stored, in order.
   */
  static open(datadir: string, magic: Uint8Array): { store: BlockStore; blocks: Uint8Array[]; invalidated: Uint8Array[] } {
    if (typeof datadir !== 'string' || datadir.length === 0) throw new TypeError('datadir: expected a non-empty path');
    assertBytes(magic, 4, 'magic');
    mkdirSync(datadir, { recursive: true });
    const store = new BlockStore(datadir, magic);
    const blocks = store.readBlocks();
    store.fd = openSync(store.blocksPath, 'a');
    store.count = blocks.length;
    return { store, blocks, invalidated: store.readInvalidated() };
  }

  /** Appends one block (synchronously). */
  append(raw: Uint8Array): void {
    if (this.fd === undefined) throw new Error('block store: closed');
    const record = new Uint8Array(HEADER_BYTES + raw.length);
    record.set(this.magic, 0);
    new DataView(record.buffer).setUint32(4, raw.length, true);
    record.set(raw, HEADER_BYTES);
    let written = 0;
    // a short write continues where it stopped
    while (written < record.length) written += writeSync(this.fd, record, written, record.length - written);
    this.count++;
  }

  /** Replaces the list of operator-invalidated blocks (internal byte order hashes). */
  writeInvalidated(hashesLE: readonly Uint8Array[]): void {
    const tmp = `${this.invalidatedPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ invalidated: hashesLE.map(hashToDisplay) }, null, 2)}\n`);
    renameSync(tmp, this.invalidatedPath);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private readBlocks(): Uint8Array[] {
    if (!existsSync(this.blocksPath)) return [];
    const bytes = new Uint8Array(readFileSync(this.blocksPath));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const blocks: Uint8Array[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      if (bytes.length - offset < HEADER_BYTES) break;
      if (!equalBytes(bytes.subarray(offset, offset + 4), this.magic)) {
        throw corrupt(`${this.blocksPath}: record at byte ${offset} does not start with this network's magic (a file of another network, or corrupted)`);
      }
      const length = view.getUint32(offset + 4, true);
      if (length === 0 || length > MAX_RECORD) throw corrupt(`${this.blocksPath}: record at byte ${offset} has an impossible length ${length}`);
      if (bytes.length - offset - HEADER_BYTES < length) break;
      blocks.push(bytes.slice(offset + HEADER_BYTES, offset + HEADER_BYTES + length));
      offset += HEADER_BYTES + length;
    }
    if (offset < bytes.length) {
      // a record cut short by a crash: drop it
      const fd = openSync(this.blocksPath, 'r+');
      try {
        if (fstatSync(fd).size > offset) ftruncateSync(fd, offset);
      } finally {
        closeSync(fd);
      }
    }
    return blocks;
  }

  private readInvalidated(): Uint8Array[] {
    if (!existsSync(this.invalidatedPath)) return [];
    const text = readFileSync(this.invalidatedPath, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new DevnetStoreError('DEVNET_STORE_CORRUPT', `${this.invalidatedPath}: not JSON (${(cause as Error).message})`, { cause });
    }
    const list = (parsed as { invalidated?: unknown } | null)?.invalidated;
    if (!Array.isArray(list) || !list.every((h): h is string => typeof h === 'string')) {
      throw corrupt(`${this.invalidatedPath}: expected {"invalidated": ["<block hash hex>", ...]}`);
    }
    return list.map((h, i) => displayToHash(h, `${this.invalidatedPath} invalidated[${i}]`));
  }
}

function corrupt(message: string): DevnetStoreError {
  return new DevnetStoreError('DEVNET_STORE_CORRUPT', message);
}
