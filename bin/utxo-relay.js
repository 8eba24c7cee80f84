#!/usr/bin/env node
// The `utxo-relay` command. Loads the TypeScript sources through tsx (a runtime dependency), so
// `npx utxo-relay ...` works straight after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../relayer/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
