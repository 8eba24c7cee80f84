/** A plugin whose factory refuses its options: loadAdapter reports ADAPTER_CREATE_FAILED with the cause. */
export function createAdapter(options: unknown): never {
  throw new TypeError(`options.url: required, got ${JSON.stringify(options)}`);
}
