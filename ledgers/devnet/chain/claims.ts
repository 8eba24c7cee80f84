/** Side role: the lock outpoints claimed by mints on the best chain (chain state, undone with their blocks). */
export interface Claim {
  readonly mintTxidLE: Uint8Array;
  readonly blockHashLE: Uint8Array;
  readonly height: number;
}

/** Claims by lock outpoint key. */
export class ClaimSet {
  private readonly claims = new Map<string, Claim>();

  get size(): number {
    return this.claims.size;
  }

  /** The claim of a lock outpoint key (see claimKey in consensus/mint.ts). */
  get(key: string): Claim | undefined {
    return this.claims.get(key);
  }

  has(key: string): boolean {
    return this.claims.has(key);
  }

  add(key: string, claim: Claim): void {
    if (this.claims.has(key)) throw new Error(`claims: lock outpoint ${key} is already claimed`);
    this.claims.set(key, claim);
  }

  remove(key: string): void {
    this.claims.delete(key);
  }

  entries(): IterableIterator<[string, Claim]> {
    return this.claims.entries();
  }
}
