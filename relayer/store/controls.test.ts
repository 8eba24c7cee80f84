/**
 * Controls against a real redis-server: the pause switch per direction and the capped alert list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisPerFile, uniquePrefix } from '../../test/redis.js';
import { Controls } from './controls.js';
import { Keys } from './keys.js';

const { connect } = redisPerFile();

function open(label: string): { controls: Controls; clock: { t: number }; keys: Keys } {
  const keys = new Keys(uniquePrefix(label), 'dep');
  const clock = { t: 5_000 };
  return { controls: new Controls(connect(), keys, () => clock.t), clock, keys };
}

test('pause, pausedReason, paused, resume: per direction', async () => {
  const { controls, clock } = open('pause');
  assert.deepEqual(await controls.paused(), {});
  assert.equal(await controls.pausedReason('pegin'), undefined);
  await controls.pause('pegin', 'reserve check failed', 'reserve-check');
  clock.t = 6_000;
  await controls.pause('pegout', 'maintenance', 'operator');
  assert.deepEqual(await controls.pausedReason('pegin'), { reason: 'reserve check failed', by: 'reserve-check', at: 5_000 });
  assert.deepEqual(await controls.paused(), {
    pegin: { reason: 'reserve check failed', by: 'reserve-check', at: 5_000 },
    pegout: { reason: 'maintenance', by: 'operator', at: 6_000 },
  });
  // pausing again replaces the reason
  clock.t = 7_000;
  await controls.pause('pegin', 'reorg of a minted lock', 'reorg');
  assert.deepEqual(await controls.pausedReason('pegin'), { reason: 'reorg of a minted lock', by: 'reorg', at: 7_000 });
  assert.equal(await controls.resume('pegin'), true);
  assert.equal(await controls.resume('pegin'), false, 'resuming a running direction says so');
  assert.equal(await controls.pausedReason('pegin'), undefined);
  assert.deepEqual(Object.keys(await controls.paused()), ['pegout']);
});

test('every process of the deployment sees the same switch; another deployment does not', async () => {
  const a = open('shared');
  const redis = connect();
  const b = new Controls(redis, a.keys);
  const other = new Controls(redis, new Keys(uniquePrefix('shared'), 'dep'));
  await a.controls.pause('pegout', 'x', 'operator');
  assert.equal((await b.pausedReason('pegout'))?.reason, 'x');
  assert.equal(await other.pausedReason('pegout'), undefined);
});

test('alerts: newest first, limit, details kept, capped at 1000', async () => {
  const { controls, clock } = open('alerts');
  assert.deepEqual(await controls.alerts(), []);
  const first = await controls.alert('RESERVE_CHECK_FAILED', 'side supply above locked', { locked: '5', supply: '6' });
  assert.deepEqual(first, { at: 5_000, kind: 'RESERVE_CHECK_FAILED', message: 'side supply above locked', details: { locked: '5', supply: '6' } });
  for (let i = 1; i <= 1_050; i++) {
    clock.t++;
    await controls.alert('NODE_FAULTY', `n${i}`);
  }
  const latest = await controls.alerts(3);
  assert.deepEqual(latest.map((a) => a.message), ['n1050', 'n1049', 'n1048']);
  assert.equal('details' in latest[0]!, false);
  const all = await controls.alerts(5_000);
  assert.equal(all.length, 1000);
  assert.equal(all.at(-1)!.message, 'n51', 'the oldest are dropped');
  assert.equal((await controls.alerts()).length, 100, 'default limit');
});
