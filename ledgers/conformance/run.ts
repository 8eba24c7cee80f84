/**
 * `npm run conformance`: the conformance suite against the built-in bitcoind adapter on devnet
 * main and side nodes, with the spec report and a final line "N passed, M failed".
 * Exit code 0 when every test passed.
 */
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

let passed = 0;
let failed = 0;
const stream = run({ files: [fileURLToPath(new URL('./devnet-conformance.ts', import.meta.url))] });
stream.on('test:pass', (data: { skip?: unknown; todo?: unknown; details: { type?: string } }) => {
  if (data.details.type !== 'suite' && data.skip === undefined && data.todo === undefined) passed++;
});
stream.on('test:fail', (data: { details: { type?: string } }) => {
  if (data.details.type !== 'suite') failed++;
});
stream.compose(new spec()).pipe(process.stdout);
stream.once('end', () => {
  // the spec reporter writes its summary asynchronously; print ours after it
  setImmediate(() => {
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    process.exitCode = failed === 0 ? 0 : 1;
  });
});
