/** A module without a createAdapter export: loadAdapter refuses it (ADAPTER_BAD_EXPORT). */
export const createBitcoindAdapter = (): undefined => undefined;
