/**
 * What an operator's command needs of a deployment, without its chains: the transfer store, the
 * controls (pauses, alerts), the chain marks (cursors), the governor and the job pipeline, over
 * one checked command connection and one producer connection. The CLI's operator commands (and
 * later the HTTP API) open one, call the actions of actions.ts on it, and close it. No adapter is
 * loaded and no node is contacted.
 */
import type { Redis } from 'ioredis';
import type { RelayerConfig } from '../../config/index.js';
import { Governor } from '../governor/governor.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { checkRedis, closeQuietly, createRedisConnection } from '../redis/connections.js';
import { connectStore } from '../service.js';
import { ChainMarks } from '../store/chain-marks.js';
import { Controls } from '../store/controls.js';
import type { Keys } from '../store/keys.js';
import { TransferStore } from '../store/transfer-store.js';

export interface OperatorStore {
  readonly config: RelayerConfig;
  readonly keys: Keys;
  readonly store: TransferStore;
  readonly controls: Controls;
  readonly marks: ChainMarks;
  readonly governor: Governor;
  readonly pipeline: Pipeline;
  /** Closes the queues and both connections; never throws. */
  close(): Promise<void>;
}

/**
 * Connects to the deployment's Redis (REDIS_UNREACHABLE / REDIS_EVICTION_POLICY when it does not
 * answer or may evict keys, like `start`) and gives the stores over it.
 */
export async function openOperatorStore(config: RelayerConfig): Promise<OperatorStore> {
  const { redis, keys } = await connectStore(config);
  redis.on('error', () => {});
  const producer: Redis = createRedisConnection(config.redis.url, 'producer', `${config.deployment}:operator`);
  // a lost connection shows as the failure of the command that needed it (ioredis would also
  // print every unhandled `error` event on stderr, in the middle of the command's output)
  producer.on('error', () => {});
  try {
    // the producer has no offline queue: wait until it is ready before a Queue uses it
    await checkRedis(producer);
  } catch (e) {
    await Promise.all([closeQuietly(producer), closeQuietly(redis)]);
    throw e;
  }
  const pipeline = new Pipeline(producer, config);
  // the producer's errors reach every Queue as well, which BullMQ prints on stderr when no one listens
  for (const queue of pipeline.queues.values()) queue.on('error', () => {});
  let closing: Promise<void> | undefined;
  return {
    config,
    keys,
    store: new TransferStore(redis, keys),
    controls: new Controls(redis, keys),
    marks: new ChainMarks(redis, keys),
    governor: new Governor(redis, keys, config.limits),
    pipeline,
    close(): Promise<void> {
      closing ??= (async () => {
        try {
          await pipeline.close();
        } catch {
          // closing anyway
        }
        await Promise.all([closeQuietly(producer), closeQuietly(redis)]);
      })();
      return closing;
    },
  };
}
