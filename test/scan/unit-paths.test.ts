/**
 * One scan unit (`runUnit`), called directly with real SDK clients against the simulator, on the paths a
 * whole scan rarely takes: which collections run, the quota bucket of every paced call, cancellation at
 * a chosen call, an import that throws, findings that break an ASFF limit, and what is counted as
 * imported and archived when Security Hub refuses some. One account (the simulator's management account,
 * scanned with the hub's own credentials), one region, three customer managed keys.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScanClients } from '../../src/aws/scan-clients.js';
import type { CatalogControl } from '../../src/catalog/index.js';
import { loadCatalog } from '../../src/catalog/index.js';
import { configurePolicyEvaluator, policyEvaluator } from '../../src/evaluate/policy-pool.js';
import type { AsffFinding } from '../../src/findings/index.js';
import type { ControlId } from '../../src/model/result.js';
import type { UnitOutcome } from '../../src/model/scan.js';
import type { UnitContext } from '../../src/scan/unit.js';
import { collectKeyInventory, evaluateCollected, runUnit } from '../../src/scan/unit.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { params } from '../controls/helpers.js';
import { withEndpoint } from '../helpers/endpoint.js';
import { RecordingLimiter } from '../helpers/pacing.js';

const REGION = 'us-east-1';
const ALL: ControlId[] = ['KMS.1', 'KMS.2', 'KMS.3', 'KMS.4', 'KMS.5'];
const catalog = loadCatalog();

let aws: RunningSimulator;
let account: string;
let sdk: { iam: IAMClient; kms: KMSClient; hub: SecurityHubClient };
let clients: ScanClients;
/** The scan clock: each unit run is a minute after the previous one (Security Hub keeps the newer update). */
let clock: number;

beforeAll(() => {
  // Policy analysis in this thread: no worker pool to start for a handful of documents.
  configurePolicyEvaluator({ workers: 0 });
});
beforeEach(async () => {
  // Seed 5: three customer managed keys, two managed policies (both FAILED for KMS.1), two identities
  // with inline policies (both FAILED for KMS.2): 13 findings in all.
  aws = await startSimulator({
    organization: {
      seed: 5,
      accounts: 1,
      regions: [REGION],
      keysPerRegion: 3,
      policiesPerAccount: 2,
      identitiesPerAccount: 2,
    },
  });
  account = aws.state.managementAccountId;
  clock = Date.parse('2026-05-01T00:00:00.000Z');
  // One attempt: an injected failure is seen as it is, without the SDK's retries.
  const options = { endpoint: aws.endpoint, region: REGION, credentials: aws.hubCredentials, maxAttempts: 1 };
  sdk = { iam: new IAMClient(options), kms: new KMSClient(options), hub: new SecurityHubClient(options) };
  const unused = (): never => {
    throw new Error('not used by a unit');
  };
  clients = {
    organizations: unused,
    ec2: unused,
    iam: () => sdk.iam,
    kms: () => sdk.kms,
    securityHub: () => sdk.hub,
    verifyAccess: () => Promise.resolve(),
    release: () => undefined,
    forget: () => undefined,
  };
  aws.requestLog.start();
});
afterEach(async () => {
  sdk.iam.destroy();
  sdk.kms.destroy();
  sdk.hub.destroy();
  await aws.stop();
});

function context(extra: Partial<UnitContext> = {}): UnitContext {
  return {
    clients,
    catalog,
    params: params(),
    partition: 'aws',
    importSettings: {
      dryRun: false,
      importPassed: true,
      archiveResolved: true,
      productName: 'keywarden',
      companyName: 'Keywarden',
    },
    limiter: new RecordingLimiter(),
    now: () => new Date(clock),
    ...extra,
  };
}

function run(ctx: UnitContext, controls: ControlId[] = ALL): Promise<UnitOutcome> {
  clock += 60_000;
  return runUnit({ id: `${account}/${REGION}`, accountId: account, region: REGION, controls }, ctx);
}

/** The operations the simulator received since the log was (re)started, each once, sorted. */
const operations = () => [...new Set(aws.requestLog.requests.map((r) => r.operation))].sort();
const calls = (operation: string) => aws.requestLog.requests.filter((r) => r.operation === operation).length;
const hub = () => [...aws.state.hub(account, REGION).findings.values()];
/** The stored findings of one resource, as [control, record state] pairs in order. */
const statesOf = (resourceId: string) =>
  hub()
    .filter((f) => (f['Resources'] as { Id: string }[])[0]!.Id === resourceId)
    .map((f) => [(f['Compliance'] as { SecurityControlId: string }).SecurityControlId, f['RecordState']])
    .sort();
const keyArn = (keyId: string) => `arn:aws:kms:${REGION}:${account}:key/${keyId}`;

/** A context whose run is cancelled right after the call paced on a key ending in `suffix` got its token. */
function cancelledAfter(suffix: string, extra: Partial<UnitContext> = {}): UnitContext {
  const controller = new AbortController();
  const limiter = new RecordingLimiter({ controller, when: (key) => key.endsWith(suffix) });
  return context({ limiter, signal: controller.signal, ...extra });
}

/** Removes the first customer managed key; its ARN. */
function deleteKey(): string {
  const keys = aws.state.keys(account, REGION);
  const [gone] = keys.splice(0, 1);
  return keyArn(gone!.keyId);
}

describe('what a unit collects and how it paces', () => {
  it('paces every call on the bucket of its account, region and operation, with its quota', async () => {
    const limiter = new RecordingLimiter();
    const outcome = await run(context({ limiter }));
    expect(outcome.state).toBe('done');
    // One IAM page, a rotation status and a key policy per key (3 keys), one page of existing findings,
    // one import batch. KMS quotas from the KMS quotas page; Security Hub's BatchImportFindings 10/s
    // burst 30 and GetFindings 3/s burst 6; IAM paced at 10/s.
    expect(limiter.byKey()).toEqual([
      [`${account}/iam/GetAccountAuthorizationDetails`, { perSecond: 10, burst: 10 }, 1],
      [`${account}/${REGION}/BatchImportFindings`, { perSecond: 10, burst: 30 }, 1],
      [`${account}/${REGION}/GetFindings`, { perSecond: 3, burst: 6 }, 1],
      [`${account}/${REGION}/kms/GetKeyPolicy`, { perSecond: 1000, burst: 1000 }, 3],
      [`${account}/${REGION}/kms/GetKeyRotationStatus`, { perSecond: 1000, burst: 1000 }, 3],
    ]);
    // Every paced call was made, once per token.
    expect(calls('iam:GetAccountAuthorizationDetails')).toBe(1);
    expect(calls('kms:GetKeyRotationStatus')).toBe(3);
    expect(calls('kms:GetKeyPolicy')).toBe(3);
    expect(calls('securityhub:GetFindings')).toBe(1);
    expect(calls('securityhub:BatchImportFindings')).toBe(1);
  });

  it("runs only the collections the unit's controls need", async () => {
    const hubCalls = [
      'securityhub:BatchImportFindings',
      'securityhub:DescribeHub',
      'securityhub:GetFindings',
    ];
    await run(context(), ['KMS.3']);
    expect(operations()).toEqual(['kms:DescribeKey', 'kms:ListKeys', ...hubCalls]);
    aws.requestLog.start();
    await run(context(), ['KMS.1']);
    expect(operations()).toEqual(['iam:GetAccountAuthorizationDetails', ...hubCalls]);
    aws.requestLog.start();
    await run(context(), ['KMS.4']);
    expect(operations()).toEqual([
      'kms:DescribeKey',
      'kms:GetKeyRotationStatus',
      'kms:ListKeys',
      ...hubCalls,
    ]);
  });

  it("hands the management account to KMS.2's role exclusion", async () => {
    // A role that only the management account (here the scanned account itself) may assume, with an
    // inline policy that allows kms:Decrypt on every key.
    aws.state.accounts.get(account)!.identities.push({
      kind: 'role',
      name: 'management-only',
      id: 'AROAMANAGEMENTONLY001',
      path: '/',
      createDate: '2025-01-01T00:00:00.000Z',
      inlinePolicies: [
        {
          name: 'decrypt-everything',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }],
          },
        },
      ],
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' },
        ],
      },
    });
    const role = `arn:aws:iam::${account}:role/management-only`;
    const kms2 = { 'KMS.2': { excludeRoleByManagementAccount: true } };
    const sink = async (ctx: UnitContext) => {
      let made: AsffFinding[] = [];
      await run({ ...ctx, findingSink: (findings) => void (made = findings) }, ['KMS.2']);
      return made.map((f) => f.Resources[0]!.Id);
    };
    // Known management account: the role is excluded, no finding for it.
    expect(await sink(context({ params: params(kms2), managementAccountId: account }))).not.toContain(role);
    // Unknown: the role cannot be excluded and its policy fails.
    expect(await sink(context({ params: params(kms2) }))).toContain(role);
  });
});

describe('collectKeyInventory', () => {
  it("leaves out a key detail no control needs, even where the key's metadata could not say", async () => {
    // A KMS that describes its one key without KeySpec and Origin: whether the key can rotate cannot be
    // told, so a rotation collection would be incomplete. KMS.3 does not need it; KMS.4 does.
    const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
    await withEndpoint(
      ({ target }) => ({
        status: 200,
        body:
          target === 'TrentService.ListKeys'
            ? { Keys: [{ KeyId: keyId, KeyArn: keyArn(keyId) }], Truncated: false }
            : { KeyMetadata: { KeyId: keyId, KeyManager: 'CUSTOMER', KeyState: 'Enabled' } },
      }),
      async (endpoint) => {
        const kms = new KMSClient({
          endpoint,
          region: REGION,
          credentials: aws.hubCredentials,
          maxAttempts: 1,
        });
        const ctx = context({ clients: { ...clients, kms: () => kms } });
        const place = { accountId: account, region: REGION };
        try {
          expect((await collectKeyInventory(place, ['KMS.3'], ctx)).errors).toEqual([]);
          const kms4 = await collectKeyInventory(place, ['KMS.4'], ctx);
          expect(kms4.errors.map((e) => [e.collector, e.error.code])).toEqual([
            ['kms:rotation', 'MissingField'],
          ]);
        } finally {
          kms.destroy();
        }
      },
    );
  });

  it('reads only the keys it is given, without listing the region', async () => {
    const [first] = aws.state.keys(account, REGION);
    const inventory = await collectKeyInventory(
      { accountId: account, region: REGION },
      ['KMS.4'],
      context(),
      [{ id: first!.keyId }],
    );
    expect(inventory.snapshot.keys.map((k) => k.keyId)).toEqual([first!.keyId]);
    expect(aws.requestLog.requests.map((r) => [r.operation, r.resource])).toEqual([
      ['kms:DescribeKey', first!.keyId],
      ['kms:GetKeyRotationStatus', first!.keyId],
    ]);
  });
});

describe('cancellation at a chosen call', () => {
  it('during the IAM collection: cancelled, no error, the IAM call never sent, nothing imported', async () => {
    const outcome = await run(cancelledAfter('/iam/GetAccountAuthorizationDetails'));
    expect(outcome).toMatchObject({ state: 'cancelled', errors: [], imported: 0, archived: 0 });
    expect(calls('iam:GetAccountAuthorizationDetails')).toBe(0);
    expect(operations()).toEqual([]);
    expect(hub()).toEqual([]);
  });

  it("at a key's detail call: that call is never sent", async () => {
    // One key, so exactly one detail call is paced, and it is the one cancelled.
    aws.state.keys(account, REGION).splice(1);
    const outcome = await run(cancelledAfter('/kms/GetKeyRotationStatus'), ['KMS.4']);
    expect(outcome.state).toBe('cancelled');
    expect(outcome.errors).toEqual([]);
    expect(operations()).toEqual(['kms:DescribeKey', 'kms:ListKeys']);
  });

  it('after a collection failed: the unit is cancelled, not partial', async () => {
    aws.state.keys(account, REGION).splice(1);
    aws.faults.failingOperations.add('iam:GetAccountAuthorizationDetails');
    const outcome = await run(cancelledAfter('/kms/GetKeyRotationStatus'), ['KMS.1', 'KMS.4']);
    expect(outcome.state).toBe('cancelled');
    expect(outcome.errors).toEqual([
      expect.objectContaining({ stage: 'collect', controls: ['KMS.1'], code: 'ServiceUnavailable' }),
    ]);
  });

  it("before reading the hub's findings: they are not read and nothing is imported", async () => {
    const outcome = await run(cancelledAfter(`/${REGION}/GetFindings`));
    expect(outcome.state).toBe('cancelled');
    expect(calls('securityhub:DescribeHub')).toBe(1);
    expect(calls('securityhub:GetFindings')).toBe(0);
    expect(calls('securityhub:BatchImportFindings')).toBe(0);
    expect(hub()).toEqual([]);
  });

  it('before the import call: it is never sent', async () => {
    const outcome = await run(cancelledAfter(`/${REGION}/BatchImportFindings`));
    expect(outcome.state).toBe('cancelled');
    expect(calls('securityhub:GetFindings')).toBe(1);
    expect(calls('securityhub:BatchImportFindings')).toBe(0);
    expect(hub()).toEqual([]);
  });
});

describe('failures and what is counted', () => {
  it('Security Hub failing outright (not "not enabled"): one import error for the unit, failed', async () => {
    aws.faults.failingOperations.add('securityhub:DescribeHub');
    const outcome = await run(context());
    expect(outcome.state).toBe('failed');
    expect(outcome.errors).toEqual([
      { stage: 'import', controls: [], code: 'InternalException', message: expect.any(String) },
    ]);
    expect(outcome.imported).toBe(0);
    expect(hub()).toEqual([]);
  });

  it('a collection failure and a hub that is not enabled: failed, since nothing reached Security Hub', async () => {
    aws.faults.failingOperations.add('iam:GetAccountAuthorizationDetails');
    aws.faults.hubDisabled.add(REGION);
    const outcome = await run(context());
    expect(outcome.errors.map((e) => [e.stage, e.controls])).toEqual([
      ['collect', ['KMS.1', 'KMS.2']],
      ['import', []],
    ]);
    expect(outcome.state).toBe('failed');
  });

  it("durationMs is the unit's own running time", async () => {
    const before = performance.now();
    const outcome = await run(context());
    const elapsed = performance.now() - before;
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
    expect(outcome.durationMs).toBeLessThanOrEqual(Math.ceil(elapsed));
  });

  it('a dry run hands every finding made to the sink and calls no Security Hub API', async () => {
    let sunk: AsffFinding[] = [];
    const ctx = context({ findingSink: (findings) => void (sunk = findings) });
    const outcome = await run({ ...ctx, importSettings: { ...ctx.importSettings, dryRun: true } });
    expect(outcome.destination).toBe('dry-run');
    const perControl = (control: string) =>
      sunk.filter((f) => f.Compliance?.SecurityControlId === control).length;
    // 2 managed policies, 2 identities, 3 keys for each key control.
    expect(ALL.map(perControl)).toEqual([2, 2, 3, 3, 3]);
    for (const finding of sunk)
      expect(finding.Id).toMatch(new RegExp(`^keywarden/${REGION}/${account}/KMS\\.[1-5]/[0-9a-f]{64}$`));
    expect(operations().filter((op) => op.startsWith('securityhub:'))).toEqual([]);
  });

  it('archiveResolved off: only the findings made are sent', async () => {
    await run(context());
    deleteKey();
    const ctx = context();
    const outcome = await run({ ...ctx, importSettings: { ...ctx.importSettings, archiveResolved: false } });
    // 13 findings less the gone key's KMS.3, KMS.4 and KMS.5 findings.
    expect(outcome).toMatchObject({ state: 'done', imported: 10, archived: 0, importFailed: 0, errors: [] });
    expect(hub().filter((f) => f['RecordState'] === 'ARCHIVED')).toEqual([]);
  });

  it('imported and archived are counted apart', async () => {
    const first = await run(context());
    expect(first).toMatchObject({ imported: 13, archived: 0 });
    const gone = deleteKey();
    const second = await run(context());
    expect(second).toMatchObject({ state: 'done', imported: 10, archived: 3, importFailed: 0 });
    const archived = hub().filter((f) => f['RecordState'] === 'ARCHIVED');
    expect(archived.map((f) => (f['Resources'] as { Id: string }[])[0]!.Id)).toEqual([gone, gone, gone]);
  });

  it('an archive Security Hub refuses is not counted as archived, and is reported with its control', async () => {
    await run(context());
    const gone = deleteKey();
    // Two stale findings of this product for gone keys that Security Hub refuses when they come back
    // ARCHIVED (no Title: not ASFF); one names its control, the other (an old finding) does not.
    const stale = (n: number, compliance: boolean) => {
      const [template] = hub().filter(
        (f) => (f['Compliance'] as { SecurityControlId: string }).SecurityControlId === 'KMS.3',
      );
      const copy: Record<string, unknown> = { ...template!, Id: `${String(template!.Id)}-stale-${n}` };
      delete copy['Title'];
      if (!compliance) delete copy['Compliance'];
      aws.state.hub(account, REGION).findings.set(copy['Id'] as string, copy as never);
      return copy['Id'] as string;
    };
    const refused = [stale(1, true), stale(2, false)];
    const outcome = await run(context());
    // The gone key's 3 findings archived; the 2 refused ones not counted as archived.
    expect(outcome).toMatchObject({ state: 'partial', imported: 10, archived: 3, importFailed: 2 });
    expect(outcome.errors).toEqual([
      {
        stage: 'import',
        controls: ['KMS.3'],
        code: 'InvalidInput',
        message: expect.stringMatching(/^2 findings were not imported \(first: /),
      },
    ]);
    const archived = hub().filter((f) => f['RecordState'] === 'ARCHIVED');
    expect(archived.map((f) => (f['Resources'] as { Id: string }[])[0]!.Id)).toEqual([gone, gone, gone]);
    for (const id of refused)
      expect(aws.state.hub(account, REGION).findings.get(id)!['RecordState']).toBe('ACTIVE');
  });

  it("a finding that breaks an ASFF limit is not sent, and its control's gone findings are kept", async () => {
    await run(context());
    const gone = deleteKey();
    // A catalog whose KMS.3 lists no finding type: every KMS.3 finding lacks the required Types.
    const broken = {
      get: (id: ControlId): CatalogControl =>
        id === 'KMS.3' ? { ...catalog.get(id), findingTypes: [] } : catalog.get(id),
    };
    const outcome = await run(context({ catalog: broken }));
    // The 2 remaining keys' KMS.3 findings are refused before sending; the 4 IAM findings and the 2 keys'
    // KMS.4 and KMS.5 findings are imported; the gone key's KMS.4 and KMS.5 findings archived, not KMS.3's.
    expect(outcome).toMatchObject({ state: 'partial', imported: 8, archived: 2, importFailed: 2 });
    expect(outcome.errors).toEqual([
      expect.objectContaining({ stage: 'import', controls: ['KMS.3'], code: 'InvalidFinding' }),
      expect.objectContaining({ stage: 'import', controls: ['KMS.3'], code: 'InvalidFinding' }),
    ]);
    expect(outcome.errors[0]!.message).toMatch(
      /^keywarden\/us-east-1\/\d{12}\/KMS\.3\/[0-9a-f]{64}: Types is required$/,
    );
    expect(statesOf(gone)).toEqual([
      ['KMS.3', 'ACTIVE'],
      ['KMS.4', 'ARCHIVED'],
      ['KMS.5', 'ARCHIVED'],
    ]);
  });

  it('a control whose evaluation throws is reported as not collected, and nothing of it is archived', async () => {
    await run(context());
    const gone = deleteKey();
    // KMS.3 without its parameters: its evaluation throws; the other controls go on.
    const outcome = await run(context({ params: { ...params(), 'KMS.3': undefined as never } }));
    expect(outcome.state).toBe('partial');
    expect(outcome.errors).toEqual([expect.objectContaining({ stage: 'collect', controls: ['KMS.3'] })]);
    expect(outcome.findings['KMS.3']).toBeUndefined();
    expect(statesOf(gone)).toEqual([
      ['KMS.3', 'ACTIVE'],
      ['KMS.4', 'ARCHIVED'],
      ['KMS.5', 'ARCHIVED'],
    ]);
  });
});

describe('evaluating what was collected', () => {
  it('a control whose collection is missing is neither evaluated nor reported', async () => {
    const failed: ControlId[] = [];
    const results = await evaluateCollected(['KMS.1', 'KMS.3', 'KMS.4'], {}, REGION, context(), (id) => {
      failed.push(id);
    });
    expect(results).toEqual([]);
    expect(failed).toEqual([]);
  });

  it("analyses the policies in the pool, within the pool's time budget per document", async () => {
    // A budget of 1 ms: no worker thread can even start within it, so every document the pool is given
    // comes back undecided (TOO_COMPLEX: a WARNING). KMS.1 analysing in this thread instead would decide them.
    configurePolicyEvaluator({ workers: 1, timeoutMs: 1 });
    try {
      const outcome = await run(context(), ['KMS.1']);
      expect(outcome.findings['KMS.1']).toMatchObject({ FAILED: 0, WARNING: 2 });
    } finally {
      await policyEvaluator().close();
      configurePolicyEvaluator({ workers: 0 });
    }
  });
});
