/** help ( "command" ) and uptime. */
import { usage } from '../params.js';
import { rpcError } from '../errors.js';
import type { RpcMethod } from './method.js';

export const help: RpcMethod = {
  name: 'help',
  params: [{ name: 'command', type: 'string' }],
  summary: 'list the methods, or one method\'s usage',
  run({ methods }, args) {
    const command = args[0];
    if (typeof command === 'string') {
      const m = methods.find((x) => x.name === command);
      if (m === undefined) throw rpcError('RPC_MISC_ERROR', `help: unknown command: ${command}`);
      return `${usage(m.name, m.params)}\n\n${m.summary}`;
    }
    return methods.map((m) => usage(m.name, m.params)).sort().join('\n');
  },
};

export const uptime: RpcMethod = {
  name: 'uptime',
  params: [],
  summary: 'seconds since the node started',
  run: ({ startedAt }) => Math.floor(Date.now() / 1000) - startedAt,
};
