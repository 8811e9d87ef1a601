/** docker/compose.yaml: the scale-out layout the README promises, wired the same way in every process. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  read_only?: boolean;
  depends_on?: string[];
}

const compose = parse(readFileSync(new URL('../../docker/compose.yaml', import.meta.url), 'utf8'), {
  merge: true,
}) as { services: Record<string, Service> };

describe('docker/compose.yaml', () => {
  const { services } = compose;

  it('runs Redis, the simulator, one serve and three workers', () => {
    expect(Object.keys(services).sort()).toEqual(['keywarden', 'redis', 'simulator', 'worker']);
    expect(services['keywarden']!.command).toEqual(['serve']);
    expect(services['worker']!.command).toEqual(['worker']);
    expect(services['worker']!.deploy?.replicas).toBe(3);
    for (const name of ['keywarden', 'worker']) {
      expect(services[name]!.read_only).toBe(true);
      expect(services[name]!.depends_on).toEqual(expect.arrayContaining(['redis', 'simulator']));
    }
  });

  it('gives serve and workers the same scale-out settings, which the configuration accepts', () => {
    const serve = services['keywarden']!.environment!;
    const worker = services['worker']!.environment!;
    for (const variable of [
      'KEYWARDEN_EXECUTOR',
      'KEYWARDEN_REDIS_URL',
      'KEYWARDEN_EXTERNAL_ID',
      'AWS_ENDPOINT_URL',
    ])
      expect(worker[variable], variable).toBe(serve[variable]);
    expect(serve['KEYWARDEN_EXECUTOR']).toBe('bullmq');
    // The worker needs no API token: only serve answers requests.
    expect(worker['KEYWARDEN_API_TOKENS']).toBeUndefined();
    const loaded = loadConfig({ env: { ...serve } });
    expect(loaded.config.executor).toMatchObject({ mode: 'bullmq', redisUrl: 'redis://redis:6379' });
  });
});
