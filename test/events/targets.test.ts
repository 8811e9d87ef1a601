import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHANGE_EVENTS,
  changeTargets,
  type ChangeTarget,
  mergeTargets,
  targetKey,
} from '../../src/events/index.js';
import { CONTROL_IDS } from '../../src/catalog/control-ids.js';
import { controlModule } from '../../src/controls/index.js';

const dir = join(import.meta.dirname, '../fixtures/events');
// The tests edit fixtures at any depth to make them wrong in one place.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(join(dir, `${name.replace(/ /g, '-')}.json`), 'utf8'));
const ACCOUNT = '111122223333';
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/team/KeyReaders`;
const keyIn = (region: string) => ({
  kind: 'key',
  keyId: KEY,
  arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${KEY}`,
});

// Written from SEMANTICS.md's "Change-triggered evaluation", not from the table under test.
const EXPECTED: Record<string, { controls: string[]; region: string; resource: Record<string, unknown> }> = {
  CreatePolicy: {
    controls: ['KMS.1'],
    region: 'us-east-1',
    resource: { kind: 'managed-policy', arn: POLICY },
  },
  CreatePolicyVersion: {
    controls: ['KMS.1'],
    region: 'us-east-1',
    resource: { kind: 'managed-policy', arn: POLICY },
  },
  SetDefaultPolicyVersion: {
    controls: ['KMS.1'],
    region: 'us-east-1',
    resource: { kind: 'managed-policy', arn: POLICY },
  },
  DeletePolicyVersion: {
    controls: ['KMS.1'],
    region: 'us-east-1',
    resource: { kind: 'managed-policy', arn: POLICY },
  },
  DeletePolicy: {
    controls: ['KMS.1'],
    region: 'us-east-1',
    resource: { kind: 'managed-policy', arn: POLICY },
  },
  PutRolePermissionsBoundary: { controls: ['KMS.1'], region: 'us-east-1', resource: { kind: 'account' } },
  PutUserPermissionsBoundary: { controls: ['KMS.1'], region: 'us-east-1', resource: { kind: 'account' } },
  DeleteRolePermissionsBoundary: { controls: ['KMS.1'], region: 'us-east-1', resource: { kind: 'account' } },
  DeleteUserPermissionsBoundary: { controls: ['KMS.1'], region: 'us-east-1', resource: { kind: 'account' } },
  PutRolePolicy: {
    controls: ['KMS.2'],
    region: 'us-east-1',
    resource: { kind: 'role', name: 'app-deployer' },
  },
  DeleteRolePolicy: {
    controls: ['KMS.2'],
    region: 'us-east-1',
    resource: { kind: 'role', name: 'app-deployer' },
  },
  PutUserPolicy: { controls: ['KMS.2'], region: 'us-east-1', resource: { kind: 'user', name: 'bob' } },
  DeleteUserPolicy: { controls: ['KMS.2'], region: 'us-east-1', resource: { kind: 'user', name: 'bob' } },
  PutGroupPolicy: { controls: ['KMS.2'], region: 'us-east-1', resource: { kind: 'group', name: 'auditors' } },
  DeleteGroupPolicy: {
    controls: ['KMS.2'],
    region: 'us-east-1',
    resource: { kind: 'group', name: 'auditors' },
  },
  DeleteRole: { controls: ['KMS.2'], region: 'us-east-1', resource: { kind: 'role', name: 'app-deployer' } },
  DeleteUser: { controls: ['KMS.2'], region: 'us-east-1', resource: { kind: 'user', name: 'bob' } },
  DeleteGroup: { controls: ['KMS.2'], region: 'us-east-1', resource: { kind: 'group', name: 'auditors' } },
  CreateKey: { controls: ['KMS.3', 'KMS.4', 'KMS.5'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  ReplicateKey: {
    controls: ['KMS.3', 'KMS.4', 'KMS.5'],
    region: 'ap-southeast-2',
    resource: {
      kind: 'key',
      keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab',
      arn: `arn:aws:kms:ap-southeast-2:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`,
    },
  },
  ScheduleKeyDeletion: { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  CancelKeyDeletion: { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  EnableKey: { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  DisableKey: { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  EnableKeyRotation: { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  DisableKeyRotation: { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  ImportKeyMaterial: { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  DeleteImportedKeyMaterial: {
    controls: ['KMS.3', 'KMS.4'],
    region: 'eu-west-1',
    resource: keyIn('eu-west-1'),
  },
  PutKeyPolicy: { controls: ['KMS.5'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  'KMS CMK Deletion': { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
  'KMS CMK Rotation': { controls: ['KMS.3', 'KMS.4'], region: 'eu-west-1', resource: keyIn('eu-west-1') },
};

const targetsOf = (message: unknown): ChangeTarget[] => {
  const result = changeTargets(message);
  if (!('targets' in result)) throw new Error(`expected targets, got ${JSON.stringify(result)}`);
  return result.targets;
};

describe('changeTargets: every event of the table', () => {
  it('the table lists exactly the events SEMANTICS.md names', () => {
    expect(Object.keys(CHANGE_EVENTS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("each event's controls are the modules that name it, and no module names an event the table cannot read", () => {
    for (const [name, spec] of Object.entries(CHANGE_EVENTS))
      expect(spec.controls, name).toEqual(EXPECTED[name]!.controls);
    for (const id of CONTROL_IDS) {
      for (const event of controlModule(id).changeEvents)
        expect(Object.keys(CHANGE_EVENTS), id).toContain(event);
    }
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name} -> ${expected.controls.join(', ')} on ${JSON.stringify(expected.resource)}`, () => {
      const event = fixture(name);
      const targets = targetsOf(event);
      expect(targets).toHaveLength(1);
      const [target] = targets;
      expect(target!.accountId).toBe(ACCOUNT);
      expect(target!.region).toBe(expected.region);
      expect([...target!.controls].sort()).toEqual(expected.controls);
      expect(target!.resource).toEqual(expected.resource);
      expect(target!.source.eventId).toBe(event.id);
      expect(target!.source.time).toBe(event.detail.eventTime ?? event.time);
      // The SQS body is the JSON text of the event.
      expect(targetsOf(JSON.stringify(event))).toEqual(targets);
    });
  }

  it('a key named only by an alias in the request is taken from the event resources', () => {
    const event = fixture('DisableKeyRotation');
    expect(event.detail.requestParameters.keyId).toBe('alias/orders');
    expect(targetsOf(event)[0]!.resource).toEqual(keyIn('eu-west-1'));
  });

  it('a key named only by an alias keeps the alias (DescribeKey resolves it)', () => {
    const event = fixture('DisableKeyRotation');
    delete event.detail.resources;
    expect(targetsOf(event)[0]!.resource).toEqual({ kind: 'key', keyId: 'alias/orders' });
  });

  it('a key ARN names the account and region of the key', () => {
    const event = fixture('EnableKey');
    delete event.detail.resources;
    event.detail.requestParameters.keyId = `arn:aws:kms:eu-north-1:999988887777:key/${KEY}`;
    const [target] = targetsOf(event);
    expect(target!.accountId).toBe('999988887777');
    expect(target!.region).toBe('eu-north-1');
  });

  it('ReplicateKey without the replica metadata targets the primary key id in the replica region', () => {
    const event = fixture('ReplicateKey');
    event.detail.responseElements = null;
    const [target] = targetsOf(event);
    expect(target!.region).toBe('ap-southeast-2');
    expect(target!.resource).toEqual({ kind: 'key', keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' });
  });

  it('a failed call changed nothing: ignored', () => {
    const event = fixture('PutRolePolicy');
    event.detail.errorCode = 'AccessDenied';
    event.detail.errorMessage = 'User is not authorized to perform: iam:PutRolePolicy';
    expect(changeTargets(event)).toEqual({ ignored: 'failed-call' });
  });

  it('KMS CMK events take the key from detail.key-id when resources is empty', () => {
    const event = fixture('KMS CMK Deletion');
    event.resources = [];
    const [target] = targetsOf(event);
    expect(target!.resource).toEqual({ kind: 'key', keyId: KEY });
    expect(target!.region).toBe('eu-west-1');
  });
});

describe('changeTargets: custom actions', () => {
  it('one finding (an array of one) re-checks its resource for its control', () => {
    expect(targetsOf(fixture('custom-action-one'))).toEqual([
      {
        accountId: '444455556666',
        region: 'us-east-1',
        controls: ['KMS.2'],
        resource: { kind: 'role', name: 'app-deployer' },
        source: {
          eventId: fixture('custom-action-one').id,
          time: '2026-11-30T09:00:00Z',
          name: 'Security Hub Findings - Custom Action',
        },
      },
    ]);
  });

  it('one finding as an object', () => {
    const [target] = targetsOf(fixture('custom-action-object'));
    expect(target!.resource).toEqual({ kind: 'group', name: 'auditors' });
    expect(target!.controls).toEqual(['KMS.2']);
  });

  it('an array: one target per resource, two findings of one key become one target', () => {
    const targets = targetsOf(fixture('custom-action-array'));
    const summary = targets.map((t) => [t.accountId, t.region, t.resource.kind, t.controls.join('+')]);
    expect(summary).toEqual([
      ['444455556666', 'us-east-1', 'managed-policy', 'KMS.1'],
      ['444455556666', 'eu-west-1', 'key', 'KMS.3+KMS.4'],
      ['444455556666', 'us-east-1', 'user', 'KMS.2'],
    ]);
    expect(targets[0]!.resource).toEqual({
      kind: 'managed-policy',
      arn: 'arn:aws:iam::444455556666:policy/team/KeyReaders',
    });
  });

  it('findings of other controls are skipped; only those is ignored', () => {
    const event = fixture('custom-action-array');
    event.detail.findings[0].Compliance.SecurityControlId = 'S3.1';
    event.detail.findings[0].GeneratorId = 'security-control/S3.1';
    expect(targetsOf(event)).toHaveLength(2);
    const other = fixture('custom-action-one');
    other.detail.findings[0].Compliance.SecurityControlId = 'EC2.19';
    expect(changeTargets(other)).toEqual({ ignored: 'not-a-keywarden-control' });
  });

  it('the control may come from the GeneratorId alone', () => {
    const event = fixture('custom-action-one');
    delete event.detail.findings[0].Compliance;
    expect(targetsOf(event)[0]!.controls).toEqual(['KMS.2']);
  });

  it('an empty findings array or a finding without resources is malformed', () => {
    const event = fixture('custom-action-one');
    event.detail.findings = [];
    expect(changeTargets(event)).toHaveProperty('malformed');
    const noResources = fixture('custom-action-one');
    noResources.detail.findings[0].Resources = [];
    expect(changeTargets(noResources)).toHaveProperty('malformed');
  });
});

describe('changeTargets: malformed and unknown messages', () => {
  const cases: [string, unknown][] = [
    ['not JSON', '{"detail-type": '],
    ['a JSON array', '[1,2]'],
    ['a number', 42],
    ['null', null],
    [
      'no detail',
      (() => {
        const e = fixture('PutRolePolicy');
        delete e.detail;
        return e;
      })(),
    ],
    ['a bad account', { ...fixture('PutRolePolicy'), account: '1234' }],
    [
      'an unknown detail-type',
      { ...fixture('PutRolePolicy'), 'detail-type': 'EC2 Instance State-change Notification' },
    ],
    [
      'an IAM event not in the table',
      (() => {
        const e = fixture('PutRolePolicy');
        e.detail.eventName = 'AttachRolePolicy';
        return e;
      })(),
    ],
    [
      'an IAM event name from KMS',
      (() => {
        const e = fixture('CreateKey');
        e.detail.eventName = 'PutRolePolicy';
        return e;
      })(),
    ],
    [
      'an event source we do not read',
      (() => {
        const e = fixture('PutRolePolicy');
        e.detail.eventSource = 's3.amazonaws.com';
        return e;
      })(),
    ],
    ['a forged source (PutEvents cannot use aws.*)', { ...fixture('PutRolePolicy'), source: 'acme.iam' }],
    ['a forged custom action', { ...fixture('custom-action-one'), source: 'acme.securityhub' }],
    ['a forged KMS event', { ...fixture('KMS CMK Deletion'), source: 'acme.kms' }],
    [
      'PutRolePolicy without roleName',
      (() => {
        const e = fixture('PutRolePolicy');
        delete e.detail.requestParameters.roleName;
        return e;
      })(),
    ],
    [
      'PutRolePolicy with a bad roleName',
      (() => {
        const e = fixture('PutRolePolicy');
        e.detail.requestParameters.roleName = 'a b/c';
        return e;
      })(),
    ],
    [
      'CreatePolicy without a response',
      (() => {
        const e = fixture('CreatePolicy');
        e.detail.responseElements = null;
        return e;
      })(),
    ],
    [
      'DeletePolicy with a bad ARN',
      (() => {
        const e = fixture('DeletePolicy');
        e.detail.requestParameters.policyArn = 'KeyReaders';
        return e;
      })(),
    ],
    [
      'a KMS call that names no key',
      (() => {
        const e = fixture('DisableKey');
        e.detail.requestParameters = null;
        delete e.detail.resources;
        return e;
      })(),
    ],
    [
      'ReplicateKey without replicaRegion',
      (() => {
        const e = fixture('ReplicateKey');
        delete e.detail.requestParameters.replicaRegion;
        return e;
      })(),
    ],
    [
      'KMS CMK Deletion without key-id',
      (() => {
        const e = fixture('KMS CMK Deletion');
        e.detail = {};
        return e;
      })(),
    ],
    [
      'a custom action without findings',
      (() => {
        const e = fixture('custom-action-one');
        e.detail = { actionName: 'x' };
        return e;
      })(),
    ],
  ];
  for (const [name, message] of cases) {
    it(`${name} is malformed, with a reason`, () => {
      const result = changeTargets(message);
      expect(result).toHaveProperty('malformed');
      expect((result as { malformed: string }).malformed.length).toBeGreaterThan(5);
    });
  }
});

describe('targetKey and mergeTargets (coalescing)', () => {
  it('IAM resources coalesce across regions, keys do not', () => {
    const role = targetsOf(fixture('PutRolePolicy'))[0]!;
    expect(targetKey(role)).toBe(targetKey({ ...role, region: 'eu-west-1' }));
    const key = targetsOf(fixture('DisableKey'))[0]!;
    expect(targetKey(key)).not.toBe(targetKey({ ...key, region: 'eu-west-2' }));
    expect(targetKey(key)).not.toBe(targetKey({ ...key, accountId: '999988887777' }));
  });

  it('merging unites controls and keeps the earliest source', () => {
    const a = targetsOf(fixture('PutKeyPolicy'))[0]!;
    const b = targetsOf(fixture('DisableKeyRotation'))[0]!;
    const merged = mergeTargets([
      { ...a, source: { ...a.source, time: '2026-11-30T08:15:45Z' } },
      { ...b, source: { ...b.source, time: '2026-11-30T08:15:40Z' } },
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.controls).toEqual(['KMS.3', 'KMS.4', 'KMS.5']);
    expect(merged[0]!.source.eventId).toBe(b.source.eventId);
  });

  it('every fixture file is a message changeTargets reads', () => {
    for (const file of readdirSync(dir)) {
      const result = changeTargets(readFileSync(join(dir, file), 'utf8'));
      expect(result, file).toHaveProperty('targets');
    }
  });
});
