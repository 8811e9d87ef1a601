/**
 * Loads the configuration: a YAML/JSON file, then KEYWARDEN_* environment variables, then command-line
 * overrides; applies defaults and validates. Every error names the field; secrets never appear in it.
 */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { describeSchemaError, isKnownRegion, loadKmsActions } from '../catalog/index.js';
import { formatParameterErrors, resolveControlParams } from '../controls/index.js';
import type { ResolvedControlParams } from '../controls/index.js';
import { CONTROL_IDS, type ControlId } from '../model/result.js';
import type { KeywardenConfig } from './schema.js';
import { ConfigSchema } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const bool = (name: string, value: string): boolean => {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigError(`config: ${name}: must be true or false`);
};
const int = (name: string, value: string): number => {
  if (!/^\d+$/.test(value)) throw new ConfigError(`config: ${name}: must be an integer`);
  return Number(value);
};

type Tree = { [key: string]: unknown };

function isObject(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets `path` in a nested object, creating the sections on the way. */
function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}

/** Environment overrides: variable -> the configuration fields it sets. */
export const ENVIRONMENT: Record<string, (value: string, name: string) => Record<string, unknown>> = {
  KEYWARDEN_MEMBER_ROLE_NAME: (v) => ({ 'memberRole.name': v }),
  KEYWARDEN_EXTERNAL_ID: (v) => ({ 'memberRole.externalId': v }),
  KEYWARDEN_HUB_ROLE_ARN: (v) => ({ 'hub.roleArn': v }),
  KEYWARDEN_HOME_REGION: (v) => ({ homeRegion: v }),
  KEYWARDEN_REGIONS: (v) => ({ 'regions.mode': 'list', 'regions.list': list(v) }),
  KEYWARDEN_ACCOUNTS: (v) => ({ 'accounts.source': 'list', 'accounts.list': list(v) }),
  KEYWARDEN_DRY_RUN: (v, n) => ({ 'import.dryRun': bool(n, v) }),
  KEYWARDEN_PRODUCT_NAME: (v) => ({ 'import.productName': v }),
  KEYWARDEN_API_TOKENS: (v) => ({ 'api.tokens': list(v) }),
  KEYWARDEN_API_TOKENS_FILE: (v) => ({ 'api.tokensFile': v }),
  KEYWARDEN_API_PORT: (v, n) => ({ 'api.port': int(n, v) }),
  KEYWARDEN_DATA_DIR: (v) => ({ 'store.dataDir': v }),
  KEYWARDEN_EXECUTOR: (v) => ({ 'executor.mode': v }),
  KEYWARDEN_REDIS_URL: (v) => ({ 'executor.redisUrl': v }),
  KEYWARDEN_LOG_LEVEL: (v) => ({ logLevel: v }),
  KEYWARDEN_EVENTS_QUEUE_URL: (v) => ({ 'events.queueUrl': v }),
};

function merge(base: Tree, patch: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isObject(value) && isObject(current) ? merge(current, value) : value;
  }
  return out;
}

/** `/controls/KMS.4/enabled` -> `controls.KMS.4.enabled`. */
const fieldPath = (pointer: string): string => pointer.split('/').slice(1).join('.') || '(root)';

export interface LoadedConfig {
  config: KeywardenConfig;
  /** Each control's parameters, resolved with defaults and validated. */
  params: ResolvedControlParams;
  enabledControls: ControlId[];
  /** Tokens from `api.tokens` and `api.tokensFile`. */
  apiTokens: string[];
}

/** Validates an already merged object; defaults filled in. */
export function parseConfig(input: unknown, source = 'config'): LoadedConfig {
  if (!isObject(input)) throw new ConfigError(`${source}: must be an object`);
  const withDefaults = Value.Default(ConfigSchema, Value.Clone(input));
  const first = Value.Errors(ConfigSchema, withDefaults).First();
  if (first !== undefined) {
    // Never echo the rejected value: it may be a token.
    throw new ConfigError(`${source}: ${fieldPath(first.path)}: ${describeSchemaError(first)}`);
  }
  const config = withDefaults as KeywardenConfig;
  for (const [field, regions] of [
    ['regions.list', config.regions.list],
    ['regions.exclude', config.regions.exclude],
    ['homeRegion', [config.homeRegion]],
  ] as const) {
    const unknown = regions.filter((r) => !isKnownRegion(r));
    if (unknown.length > 0)
      throw new ConfigError(`${source}: ${field}: unknown region ${unknown.join(', ')}`);
  }
  if (config.accounts.source === 'list' && config.accounts.list.length === 0) {
    throw new ConfigError(
      `${source}: accounts.list: must name at least one account when accounts.source is list`,
    );
  }
  if (config.regions.mode === 'list' && config.regions.list.length === 0) {
    throw new ConfigError(`${source}: regions.list: must name at least one region when regions.mode is list`);
  }
  if (config.executor.mode === 'bullmq' && config.executor.redisUrl === undefined) {
    throw new ConfigError(`${source}: executor.redisUrl: required when executor.mode is bullmq`);
  }
  // The custom action re-checks through the event queue: without a queue it would do nothing.
  config.events.customAction ??= config.events.queueUrl !== undefined;
  if (config.events.customAction && config.events.queueUrl === undefined) {
    throw new ConfigError(
      `${source}: events.customAction: needs events.queueUrl (the custom action's events reach keywarden through that queue)`,
    );
  }
  const resolved = resolveControlParams(
    Object.fromEntries(CONTROL_IDS.map((id) => [id, config.controls[id].parameters])),
    { knownKmsActions: loadKmsActions() },
  );
  if (!resolved.ok) {
    const first = resolved.errors[0]!;
    throw new ConfigError(
      `${source}: controls.${first.controlId}.parameters.${first.parameter}: ${formatParameterErrors([first]).replace(/^.*?:\s*/, '')}`,
    );
  }
  let apiTokens = [...config.api.tokens];
  if (config.api.tokensFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(config.api.tokensFile, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `${source}: api.tokensFile: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const fromFile = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    if (fromFile.some((t) => t.length < 16))
      throw new ConfigError(`${source}: api.tokensFile: every token needs 16 characters or more`);
    apiTokens = [...apiTokens, ...fromFile];
  }
  return {
    config,
    params: resolved.params,
    enabledControls: CONTROL_IDS.filter((id) => config.controls[id].enabled),
    apiTokens,
  };
}

export interface LoadOptions {
  file?: string;
  env?: Env;
  /** Applied last (command-line flags). */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env['KEYWARDEN_CONFIG'];
  let fromFile: Tree = {};
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `config: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = parse(text);
    } catch (error) {
      throw new ConfigError(`${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
    }
    if (parsed !== null && parsed !== undefined && !isObject(parsed))
      throw new ConfigError(`${file}: must be a mapping`);
    fromFile = (parsed as Tree | null) ?? {};
  }
  const fromEnv: Tree = {};
  for (const [name, fields] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    for (const [path, field] of Object.entries(fields(value, name))) setPath(fromEnv, path, field);
  }
  const merged = merge(merge(fromFile, fromEnv), (options.overrides as Tree | undefined) ?? {});
  return parseConfig(merged, file ?? 'config');
}
