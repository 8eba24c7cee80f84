/** A plugin of the right version missing methods: loadAdapter refuses it (ADAPTER_INCOMPLETE). */
export function createAdapter(_options: unknown): Promise<object> {
  return Promise.resolve({
    contractVersion: 1,
    info: { chainId: 'half', family: 'bitcoin', params: {}, addressHrp: 'x', capabilities: { segwit: true, taproot: true, rbf: true, blockStream: false, pegInMints: false } },
    getTip: () => Promise.resolve({ height: 0, hashLE: new Uint8Array(32) }),
  });
}
