/**
 * Deletes every key of one deployment (its records, cursors, saved header chains, leases) and of
 * its BullMQ queues. Only for throwaway devnet deployments (`npm start` runs on fresh chains, so
 * what an earlier run left in a shared Redis would point at blocks that no longer exist).
 */
import type { Redis } from 'ioredis';
import { STAGES, queueNameOf } from '../pipeline/stages.js';

export async function resetDeployment(redis: Redis, prefix: string, deployment: string): Promise<number> {
  const patterns = [`${prefix}:${deployment}:*`, ...STAGES.map((s) => `${prefix}:${queueNameOf(deployment, s)}:*`)];
  let deleted = 0;
  for (const match of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}
