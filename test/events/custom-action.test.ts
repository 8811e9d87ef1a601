/**
 * ensureCustomAction against the simulator's Security Hub through the real client: it creates "Re-check
 * (keywarden)" once, finds it afterwards without creating again, treats a lost creation race as success,
 * and fails with Security Hub's error where Security Hub is not enabled.
 */
import { CreateActionTargetCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureActionTarget, ensureCustomAction } from '../../src/events/custom-action.js';
import { securityHubActionTargets } from '../../src/aws/action-targets.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator;
let account: string;
const client = (region: string) =>
  new SecurityHubClient({ endpoint: sim.endpoint, region, credentials: sim.hubCredentials, maxAttempts: 1 });
const creates = () => sim.counters.byOperation.get('securityhub:CreateActionTarget') ?? 0;

beforeAll(async () => {
  sim = await startSimulator({
    organization: { accounts: 1, regions: ['us-east-1', 'eu-west-1', 'eu-central-1'], seed: 2 },
    faults: { throttling: false },
  });
  account = sim.state.managementAccountId;
});
afterAll(async () => sim.stop());
beforeEach(() => sim.counters.reset());

describe('ensureCustomAction', () => {
  it('creates the action once per region, then finds it without creating again', async () => {
    const arn = await ensureCustomAction(client('us-east-1'));
    expect(arn).toBe(`arn:aws:securityhub:us-east-1:${account}:action/custom/KeywardenRecheck`);
    expect(sim.state.hub(account, 'us-east-1').actionTargets?.get(arn)).toMatchObject({
      name: 'Re-check (keywarden)',
    });
    expect(creates()).toBe(1);
    expect(await ensureCustomAction(client('us-east-1'))).toBe(arn);
    expect(creates()).toBe(1);
    // Each region has its own.
    expect(await ensureCustomAction(client('eu-west-1'))).toBe(
      `arn:aws:securityhub:eu-west-1:${account}:action/custom/KeywardenRecheck`,
    );
    expect(creates()).toBe(2);
  });

  it('a creation that loses a race (ResourceConflictException) returns the existing action', async () => {
    const real = securityHubActionTargets(client('eu-central-1'));
    // Another process creates the action between our list and our create.
    const racing = {
      list: real.list,
      create: async (target: { id: string; name: string; description: string }) => {
        await client('eu-central-1').send(
          new CreateActionTargetCommand({
            Id: target.id,
            Name: target.name,
            Description: target.description,
          }),
        );
        return real.create(target);
      },
    };
    const arn = await ensureActionTarget(racing);
    expect(arn).toBe(`arn:aws:securityhub:eu-central-1:${account}:action/custom/KeywardenRecheck`);
    expect(creates()).toBe(2);
  });

  it('Security Hub not enabled: its error, nothing created', async () => {
    sim.faults.hubDisabled.add('eu-west-1');
    try {
      sim.state.hub(account, 'eu-west-1').actionTargets?.clear();
      await expect(ensureCustomAction(client('eu-west-1'))).rejects.toMatchObject({
        name: 'InvalidAccessException',
      });
      expect(creates()).toBe(0);
    } finally {
      sim.faults.hubDisabled.delete('eu-west-1');
    }
  });
});
