/**
 * The relayer's YAML config (docs/config.md): `loadConfig(path)` reads, checks and resolves it;
 * every refusal is a RelayerError CONFIG_INVALID naming the key path and the fix.
 */
export { loadConfig, parseConfig, redactConfig, withChainOverrides } from './load-config.js';
export {
  CHAIN_ROLES,
  DEFAULTS,
  DEFAULT_REDIS_PREFIX,
  DEFAULT_REDIS_URL,
  DEFAULT_WORKER_CONCURRENCY,
  DEPLOYMENT_NAME,
  LOG_LEVELS,
  WORKER_KINDS,
  configKeyPaths,
  type ChainConfig,
  type ChainRole,
  type DirectionLimits,
  type LogLevel,
  type RelayerConfig,
  type SigningConfig,
  type WorkerKind,
} from './schema.js';
