/**
 * The AWS-compatible simulator: one HTTP server for STS, IAM, EC2 (query/XML), KMS and Organizations
 * (JSON 1.1) and Security Hub (REST-JSON). Calls are routed to an account by the access key that signed
 * them, to a region and service by the SigV4 credential scope. Faults are injected per call.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExpectedResult, ExpectedUnitError, OrganizationOptions } from './generate.js';
import { generateOrganization, HUB_USER } from './generate.js';
import * as actionTargets from './action-targets.js';
import { cloudTrailEvent } from './cloudtrail.js';
import { DEFAULT_EVENT_FAULTS, type EventFaults, SimEvents } from './events.js';
import * as iamSts from './iam-sts.js';
import { IAM_READS } from './iam-reads.js';
import { IAM_WRITES } from './iam-writes.js';
import * as kmsOrgs from './kms-orgs.js';
import * as kmsService from './kms-service-events.js';
import * as kmsWrites from './kms-writes.js';
import type { Quirk } from './kms-orgs.js';
import {
  AwsError,
  internalError,
  type Protocol,
  sendEc2,
  sendError,
  sendJson,
  sendQuery,
  throttlingError,
} from './protocol.js';
import { seededRandom } from './random.js';
import { RequestLog } from './request-log.js';
import { SimSqs } from './sqs.js';
import * as hub from './securityhub.js';
import { authenticate, protocolOfRequest } from './auth.js';
import { jsonObject } from './params.js';
import { parseAuthorization } from './sigv4.js';
import type { SimSession, SimState } from './state.js';
import { truncatedWithoutToken } from './truncation.js';

export interface SimulatorFaults extends EventFaults {
  /** Added to every call. */
  latencyMs: number;
  /** Enforce AWS's per-account, per-region quotas with token buckets. */
  throttling: boolean;
  /** Multiplies every quota (0.1 = a storm at a tenth of the real rate). */
  quotaScale: number;
  /** Calls per second for IAM and STS operations (AWS does not publish them). */
  iamRate: number;
  stsRate: number;
  /** Probability of an injected 5xx on any call. */
  errorRate: number;
  /** Accounts whose AssumeRole is denied. */
  deniedAccounts: Set<string>;
  /** `<account>/<region>` or `<region>` where Security Hub is not enabled. */
  hubDisabled: Set<string>;
  /** Probability that a finding in BatchImportFindings fails with a retryable InternalException. */
  failedFindingsRate: number;
  /** Operations that always fail with a 5xx: `kms:DescribeKey` or `<account>/<region>/kms:DescribeKey`. */
  failingOperations: Set<string>;
  /** Operations (named as in `failingOperations`) that answer only after `slowLatencyMs`. */
  slowOperations: Set<string>;
  slowLatencyMs: number;
  /** Odd but possible answers from AWS (see kms-orgs.ts). */
  quirks: Set<Quirk>;
  /** List operations (`kms:ListKeys`, `iam:GetAccountAuthorizationDetails`) whose pages say truncated but carry no token. */
  truncatedWithoutToken: Set<string>;
  /** Lifetime of AssumeRole credentials, overriding DurationSeconds (tests of credential refresh). */
  credentialLifetimeSeconds?: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  organization?: OrganizationOptions;
  faults?: Partial<SimulatorFaults>;
  hubCredentials?: { accessKeyId: string; secretAccessKey: string };
  seed?: number;
}

export interface RunningSimulator {
  endpoint: string;
  port: number;
  state: SimState;
  expected: ExpectedResult[];
  /** Units a correct scan reports as failed (a member role without kms:DescribeKey). */
  expectedUnitErrors: ExpectedUnitError[];
  faults: SimulatorFaults;
  hubCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Calls by operation (`kms:ListKeys`), and by `<account>/<region>/<operation>`. */
  counters: {
    byOperation: Map<string, number>;
    byAccountRegion: Map<string, number>;
    total(): number;
    /** Requests received and not yet answered. */
    inFlight(): number;
    reset(): void;
  };
  /** Timestamps (ms) of BatchImportFindings calls per `<account>/<region>`, for rate checks. */
  importTimes: Map<string, number[]>;
  /** The calls received and the resource each names, while started (tests: which resources were read). */
  requestLog: RequestLog;
  /** SQS queues (the event queue and its dead-letter queue). */
  sqs: SimSqs;
  /** Change events: off until a queue is configured (`events.createQueues` or `events.deliverTo`). */
  events: SimEvents;
  securityHub: {
    /**
     * A console user choosing a custom action on findings: delivers the "Security Hub Findings - Custom
     * Action" event(s) to the event queue, and returns them.
     */
    fireCustomAction(fire: actionTargets.FireCustomAction): Record<string, unknown>[];
  };
  /** KMS's own events, made to happen now: the key's waiting period ends, or its scheduled rotation. */
  kms: {
    completeKeyDeletion(key: kmsService.KeyAt): Record<string, unknown>;
    rotateKey(key: kmsService.KeyAt): Record<string, unknown>;
  };
  stop(): Promise<void>;
}

export const DEFAULT_HUB_CREDENTIALS = {
  accessKeyId: 'AKIAKEYWARDENHUB0001',
  secretAccessKey: 'keywardenSimulatorHubSecretKey0000000001',
};

/** Real AWS quotas (per account and region) for the calls keywarden makes. */
const QUOTAS: Record<string, { rate: number; burst: number }> = {
  'securityhub:BatchImportFindings': { rate: 10, burst: 30 },
  'securityhub:GetFindings': { rate: 3, burst: 6 },
  'kms:ListKeys': { rate: 500, burst: 500 },
  'kms:DescribeKey': { rate: 2000, burst: 2000 },
  'kms:GetKeyRotationStatus': { rate: 1000, burst: 1000 },
  'kms:GetKeyPolicy': { rate: 1000, burst: 1000 },
  'kms:ListResourceTags': { rate: 2000, burst: 2000 },
};

class Bucket {
  private tokens: number;
  private updated = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updated) / 1000) * this.rate);
    this.updated = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function protocolOf(service: string): Protocol {
  if (service === 'sts' || service === 'iam') return 'query';
  if (service === 'ec2') return 'ec2';
  if (service === 'securityhub') return 'rest-json';
  return 'json';
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const { state, expected, expectedUnitErrors } = generateOrganization(options.organization);
  const hubCredentials = options.hubCredentials ?? DEFAULT_HUB_CREDENTIALS;
  const management: SimSession = {
    accountId: state.managementAccountId,
    secretAccessKey: hubCredentials.secretAccessKey,
    arn: `arn:aws:iam::${state.managementAccountId}:user/${HUB_USER}`,
  };
  state.sessions.set(hubCredentials.accessKeyId, management);
  const random = seededRandom(options.seed ?? 7);
  const faults: SimulatorFaults = {
    latencyMs: 0,
    throttling: true,
    quotaScale: 1,
    iamRate: 20,
    // STS's request quota per account and region (600/s); AssumeRole calls all come from the hub account.
    stsRate: 600,
    errorRate: 0,
    deniedAccounts: new Set(),
    hubDisabled: new Set(),
    failedFindingsRate: 0,
    failingOperations: new Set(),
    slowOperations: new Set(),
    slowLatencyMs: 2_000,
    quirks: new Set(),
    truncatedWithoutToken: new Set(),
    ...DEFAULT_EVENT_FAULTS,
    ...options.faults,
  };
  const hubFaults: hub.HubFaults = {
    get hubDisabled() {
      return faults.hubDisabled;
    },
    get failedFindingsRate() {
      return faults.failedFindingsRate;
    },
    random,
  };
  const byOperation = new Map<string, number>();
  const byAccountRegion = new Map<string, number>();
  const importTimes = new Map<string, number[]>();
  const requestLog = new RequestLog();
  const buckets = new Map<string, Bucket>();
  let endpoint = '';
  const sqs = new SimSqs(() => endpoint);
  // Its own random stream, so turning events on does not change the other faults' draws.
  const events = new SimEvents(sqs, faults, seededRandom((options.seed ?? 7) + 1));

  const quotaFor = (operation: string) => {
    const service = operation.split(':')[0];
    const quota =
      QUOTAS[operation] ??
      (service === 'iam'
        ? { rate: faults.iamRate, burst: faults.iamRate }
        : service === 'sts'
          ? { rate: faults.stsRate, burst: faults.stsRate }
          : undefined);
    return (
      quota && { rate: quota.rate * faults.quotaScale, burst: Math.max(1, quota.burst * faults.quotaScale) }
    );
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const signed = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: raw };
    const parsed = parseAuthorization(signed);
    const protocol = protocolOfRequest(
      parsed.kind === 'ok' ? parsed.authorization.service : undefined,
      signed,
    );
    try {
      const { caller, region, service, accessKeyId } = authenticate(state, signed, protocol);
      const body = raw.toString('utf8');
      const form = protocol === 'query' || protocol === 'ec2' ? new URLSearchParams(body) : undefined;
      // A JSON body must be an object; anything else is AWS's SerializationException (SyntaxError below).
      const json =
        protocol === 'json' || protocol === 'rest-json'
          ? body.trim()
            ? jsonObject(JSON.parse(body))
            : {}
          : undefined;
      let action: string;
      if (form) action = form.get('Action') ?? '';
      else if (protocol === 'json') action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      else action = restAction(req.method ?? 'GET', (req.url ?? '/').split('?')[0]!);
      const operation = `${service}:${action}`;
      byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1);
      const accountRegion = `${caller.accountId}/${region}/${operation}`;
      byAccountRegion.set(accountRegion, (byAccountRegion.get(accountRegion) ?? 0) + 1);
      requestLog.record({ accountId: caller.accountId, region, operation }, form, json);
      if (operation === 'securityhub:BatchImportFindings') {
        const key = `${caller.accountId}/${region}`;
        const times = importTimes.get(key) ?? [];
        times.push(performance.now());
        importTimes.set(key, times);
      }
      if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (faults.slowOperations.has(operation) || faults.slowOperations.has(accountRegion))
        await new Promise((resolve) => setTimeout(resolve, faults.slowLatencyMs));
      if (faults.throttling) {
        const quota = quotaFor(operation);
        if (quota) {
          // Keyed by the quota too: changing quotaScale mid-run starts fresh buckets at the new rate.
          const bucketKey = `${accountRegion}@${quota.rate}/${quota.burst}`;
          let bucket = buckets.get(bucketKey);
          if (bucket === undefined) {
            bucket = new Bucket(quota.rate, quota.burst);
            buckets.set(bucketKey, bucket);
          }
          if (!bucket.take()) throw throttlingError(service);
        }
      }
      if (faults.failingOperations.has(operation) || faults.failingOperations.has(accountRegion))
        throw internalError(service);
      if (faults.errorRate > 0 && random() < faults.errorRate) throw internalError(service);
      // SQS answers in its own JSON 1.0 dialect, and a long poll waits: it has its own module.
      if (service === 'sqs')
        return await sqs.handle(res, action, {
          accountId: caller.accountId,
          region,
          callerArn: caller.arn,
          body: json ?? {},
          closed: closedSignal(res),
        });
      dispatch(res, service, action, {
        state,
        caller,
        region,
        form,
        json: json ?? {},
        accessKeyId,
        path: (req.url ?? '/').split('?')[0]!,
      });
    } catch (error) {
      if (error instanceof AwsError) sendError(res, protocol, error);
      else if (error instanceof SyntaxError)
        sendError(res, protocol, new AwsError('SerializationException', 'invalid JSON body', 400));
      else sendError(res, protocol, new AwsError('InternalFailure', String(error), 500));
    }
  }

  function dispatch(
    res: ServerResponse,
    service: string,
    action: string,
    call: {
      state: SimState;
      caller: SimSession;
      region: string;
      form: URLSearchParams | undefined;
      json: Record<string, unknown>;
      accessKeyId: string;
      path: string;
    },
  ): void {
    const query = {
      state: call.state,
      caller: call.caller,
      region: call.region,
      params: call.form ?? new URLSearchParams(),
    };
    const jsonCall = {
      state: call.state,
      caller: call.caller,
      region: call.region,
      body: call.json,
      quirks: faults.quirks,
    };
    const page = (answer: unknown) =>
      faults.truncatedWithoutToken.has(`${service}:${action}`) ? truncatedWithoutToken(answer) : answer;
    const unknown = () =>
      new AwsError(
        protocolOf(service) === 'query' ? 'InvalidAction' : 'UnknownOperationException',
        `${service}:${action} is not simulated`,
        400,
      );
    // Writes: answer, then deliver the event an organization-wide rule would forward (only on success).
    const iamWrite = service === 'iam' && Object.hasOwn(IAM_WRITES, action) ? IAM_WRITES[action] : undefined;
    const kmsWrite =
      service === 'kms' && Object.hasOwn(kmsWrites.KMS_WRITES, action)
        ? kmsWrites.KMS_WRITES[action]
        : undefined;
    if (iamWrite !== undefined || kmsWrite !== undefined) {
      const done = iamWrite ? iamWrite(query) : kmsWrite!(jsonCall);
      if (iamWrite) sendQuery(res, action, iamSts.IAM_NAMESPACE, done.response);
      else sendJson(res, done.response);
      const context = {
        service: service as 'iam' | 'kms',
        eventName: action,
        accountId: call.caller.accountId,
        region: call.region,
        caller: call.caller,
        accessKeyId: call.accessKeyId,
      };
      events.emit(cloudTrailEvent(context, done.record));
      return;
    }
    switch (`${service}:${action}`) {
      case 'sts:AssumeRole':
        return sendQuery(res, action, iamSts.STS_NAMESPACE, iamSts.assumeRole(query, faults));
      case 'sts:GetCallerIdentity':
        return sendQuery(res, action, iamSts.STS_NAMESPACE, iamSts.getCallerIdentity(query));
      case 'iam:GetAccountAuthorizationDetails':
        return sendQuery(
          res,
          action,
          iamSts.IAM_NAMESPACE,
          page(iamSts.getAccountAuthorizationDetails(query)),
        );
      case 'ec2:DescribeRegions':
        return sendEc2(res, action, iamSts.describeRegions(query));
      case 'kms:ListKeys':
        return sendJson(res, page(kmsOrgs.listKeys(jsonCall)));
      case 'kms:DescribeKey':
        return sendJson(res, kmsOrgs.describeKey(jsonCall));
      case 'kms:GetKeyRotationStatus':
        return sendJson(res, kmsOrgs.getKeyRotationStatus(jsonCall));
      case 'kms:ListAliases':
        return sendJson(res, kmsOrgs.listAliases(jsonCall));
      case 'kms:GetKeyPolicy':
        return sendJson(res, kmsOrgs.getKeyPolicy(jsonCall));
      case 'kms:GetParametersForImport':
        return sendJson(res, kmsWrites.getParametersForImport(jsonCall));
      case 'kms:ListResourceTags':
        return sendJson(res, kmsOrgs.listResourceTags(jsonCall));
      case 'organizations:DescribeOrganization':
        return sendJson(res, kmsOrgs.describeOrganization(jsonCall));
      case 'organizations:ListAccounts':
        return sendJson(res, kmsOrgs.listAccounts(jsonCall));
      case 'securityhub:DescribeHub':
        return sendJson(res, hub.describeHub(jsonCall, hubFaults), 'application/json');
      case 'securityhub:EnableSecurityHub':
        return sendJson(res, hub.enableSecurityHub(jsonCall, hubFaults), 'application/json');
      case 'securityhub:BatchImportFindings':
        return sendJson(res, hub.batchImportFindings(jsonCall, hubFaults), 'application/json');
      case 'securityhub:GetFindings':
        return sendJson(res, hub.getFindings(jsonCall, hubFaults), 'application/json');
      case 'securityhub:CreateActionTarget':
        return sendJson(res, actionTargets.createActionTarget(jsonCall, hubFaults), 'application/json');
      case 'securityhub:DescribeActionTargets':
        return sendJson(res, actionTargets.describeActionTargets(jsonCall, hubFaults), 'application/json');
      case 'securityhub:DeleteActionTarget':
        return sendJson(
          res,
          actionTargets.deleteActionTarget(
            jsonCall,
            hubFaults,
            decodeURIComponent(call.path.slice('/actionTargets/'.length)),
          ),
          'application/json',
        );
      default:
        if (service === 'iam' && Object.hasOwn(IAM_READS, action))
          return sendQuery(res, action, iamSts.IAM_NAMESPACE, IAM_READS[action]!(query));
        throw unknown();
    }
  }

  // Requests still being handled, even when their client has gone (tests wait for these to land).
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      })
      .finally(() => inFlight--);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    endpoint,
    port,
    state,
    expected,
    expectedUnitErrors,
    faults,
    hubCredentials,
    counters: {
      byOperation,
      byAccountRegion,
      total: () => [...byOperation.values()].reduce((a, b) => a + b, 0),
      inFlight: () => inFlight,
      reset: () => {
        byOperation.clear();
        byAccountRegion.clear();
        importTimes.clear();
      },
    },
    importTimes,
    requestLog,
    sqs,
    events,
    securityHub: {
      fireCustomAction: (fire) => {
        const fired = actionTargets.customActionEvents(state, fire);
        for (const event of fired) events.emit(event);
        return fired;
      },
    },
    kms: {
      completeKeyDeletion: (key) => {
        const event = kmsService.completeKeyDeletion(state, key);
        events.emit(event);
        return event;
      },
      rotateKey: (key) => {
        const event = kmsService.rotateKey(state, key);
        events.emit(event);
        return event;
      },
    },
    stop: () =>
      new Promise<void>((resolve) => {
        events.close();
        sqs.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Aborted when the client goes away before its answer is written. */
function closedSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

function restAction(method: string, path: string): string {
  if (path === '/accounts')
    return method === 'GET' ? 'DescribeHub' : method === 'POST' ? 'EnableSecurityHub' : 'Unknown';
  if (path === '/findings/import' && method === 'POST') return 'BatchImportFindings';
  if (path === '/findings' && method === 'POST') return 'GetFindings';
  if (path === '/actionTargets' && method === 'POST') return 'CreateActionTarget';
  if (path === '/actionTargets/get' && method === 'POST') return 'DescribeActionTargets';
  if (path.startsWith('/actionTargets/') && method === 'DELETE') return 'DeleteActionTarget';
  return 'Unknown';
}
