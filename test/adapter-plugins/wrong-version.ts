/** A plugin built for another contract version: loadAdapter refuses it (ADAPTER_CONTRACT_MISMATCH). */
export function createAdapter(_options: unknown): object {
  return { contractVersion: 2, info: { chainId: 'future', family: 'bitcoin' } };
}
