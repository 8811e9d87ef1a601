/**
 * Security Hub custom actions in the security account, as keywarden needs them: list the existing ones
 * and create one. Read and written with the hub's credentials (hub role: securityhub:DescribeActionTargets
 * and securityhub:CreateActionTarget).
 */
import {
  CreateActionTargetCommand,
  DescribeActionTargetsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';

export type { SecurityHubClient } from '@aws-sdk/client-securityhub';

export interface ActionTarget {
  arn: string;
  name: string;
  description: string;
}

export interface ActionTargets {
  /** Every custom action of the account in the client's region. */
  list(signal?: AbortSignal): Promise<ActionTarget[]>;
  /** Creates one; `conflict` when one with this id exists already (Security Hub's ResourceConflictException). */
  create(
    target: { id: string; name: string; description: string },
    signal?: AbortSignal,
  ): Promise<{ arn: string } | 'conflict'>;
}

export function securityHubActionTargets(client: SecurityHubClient): ActionTargets {
  return {
    async list(signal) {
      const targets: ActionTarget[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new DescribeActionTargetsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
          { abortSignal: signal },
        );
        for (const t of page.ActionTargets ?? [])
          targets.push({
            arn: t.ActionTargetArn ?? '',
            name: t.Name ?? '',
            description: t.Description ?? '',
          });
        token = page.NextToken;
      } while (token);
      return targets;
    },
    async create(target, signal) {
      try {
        const created = await client.send(
          new CreateActionTargetCommand({
            Id: target.id,
            Name: target.name,
            Description: target.description,
          }),
          { abortSignal: signal },
        );
        return { arn: created.ActionTargetArn! };
      } catch (error) {
        if ((error as { name?: string }).name === 'ResourceConflictException') return 'conflict';
        throw error;
      }
    },
  };
}
