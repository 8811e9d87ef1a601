export type { KeywardenConfig } from './schema.js';
export { ConfigSchema } from './schema.js';
export type { LoadedConfig, LoadOptions } from './load.js';
export { ConfigError, ENVIRONMENT, loadConfig, parseConfig } from './load.js';
