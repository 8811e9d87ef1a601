/**
 * The scope in the distributed mode: the serve replica's API refuses what the configuration does not
 * allow, and a worker resolves a queued scan's scope with the same resolver (a job that would widen the
 * configuration runs nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from './harness.js';
import { API_TOKEN, startCluster, startReplica, waitForScan } from './harness.js';

describe('scope through BullMQ: one resolver for the API, queued jobs and the schedule', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      organization: { accounts: 2, regions: ['us-east-1', 'eu-west-1'] },
      workers: 1,
      config: {
        regions: { mode: 'list', list: ['us-east-1'] },
        controls: { 'KMS.4': { enabled: false } },
      },
    });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('the API of a bullmq replica answers 400 for a wider scope', async () => {
    const response = await cluster.replica.app.inject({
      method: 'POST',
      url: '/v1/scans',
      headers: { authorization: `Bearer ${API_TOKEN}` },
      payload: { regions: ['eu-west-1'], controls: ['KMS.4'] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().outside).toEqual({ accounts: [], regions: ['eu-west-1'], controls: ['KMS.4'] });
  });

  it('a queued scan whose scope is wider than the worker’s configuration fails without any AWS call', async () => {
    const calls = cluster.aws.counters.total();
    // This replica refuses it before queueing anything ...
    await expect(cluster.replica.service.start({ regions: ['eu-west-1'] }, 'api')).rejects.toThrow(
      'outside the configured scope: regions eu-west-1',
    );
    // ... but a differently configured (or older) replica queues it for the same workers.
    const wider = await startReplica({
      ...cluster.config,
      regions: { mode: 'list', list: ['us-east-1', 'eu-west-1'] },
    });
    const started = await wider.service
      .start({ regions: ['eu-west-1'] }, 'api')
      .finally(() => wider.shutdown());
    if (!started.started) throw new Error('a scan with the same scope is running');
    const record = await waitForScan(cluster.replica, started.scan.id);
    expect(record.state).toBe('failed');
    expect(record.summary?.error).toEqual({
      code: 'ScopeError',
      message: 'outside the configured scope: regions eu-west-1',
    });
    expect(cluster.aws.counters.total()).toBe(calls);
  }, 60_000);

  it('a scheduled scan (no scope) covers exactly the configured scope', async () => {
    const started = await cluster.replica.service.start({}, 'schedule');
    if (!started.started) throw new Error('a scan with the same scope is running');
    const record = await waitForScan(cluster.replica, started.scan.id);
    expect(record.state).toBe('completed');
    const units = await cluster.replica.store.listUnits(started.scan.id);
    expect(units.length).toBe(2);
    expect(new Set(units.map((u) => u.region))).toEqual(new Set(['us-east-1']));
    expect(record.summary!.findings['KMS.4']).toBeUndefined();
    expect(record.summary!.findings['KMS.3']).toBeDefined();
  }, 60_000);
});
