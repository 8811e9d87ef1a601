/**
 * Who is calling: the SigV4 signature checked with the secret key the simulator issued, and the session
 * token of temporary credentials. Each refusal uses the error code and HTTP status the service answers.
 */
import { AwsError, type Protocol } from './protocol.js';
import { OPT_IN_REGIONS } from './regions.js';
import type { SignedRequest } from './sigv4.js';
import { checkSignature, parseAuthorization } from './sigv4.js';
import type { SimSession, SimState } from './state.js';

export interface Authenticated {
  caller: SimSession;
  accessKeyId: string;
  region: string;
  service: string;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * The protocol of a request that may not carry a usable credential scope, so even an unauthenticated
 * request gets its error in the format its client parses.
 */
export function protocolOfRequest(service: string | undefined, request: SignedRequest): Protocol {
  if (service !== undefined) {
    if (service === 'sts' || service === 'iam') return 'query';
    if (service === 'ec2') return 'ec2';
    if (service === 'securityhub') return 'rest-json';
    return 'json';
  }
  if (request.headers['x-amz-target'] !== undefined) return 'json';
  const path = request.url.split('?')[0] ?? '/';
  if (path.startsWith('/findings') || path.startsWith('/accounts') || path.startsWith('/actionTargets'))
    return 'rest-json';
  return /(^|&)Action=DescribeRegions(&|$)/.test(request.body.toString('utf8')) ? 'ec2' : 'query';
}

/** Errors by protocol: query (STS, IAM), EC2, JSON 1.1 (KMS, Organizations), REST-JSON (Security Hub). */
const errors = {
  missing: (p: Protocol) =>
    p === 'ec2'
      ? new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 401)
      : p === 'query'
        ? new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403)
        : new AwsError(
            'MissingAuthenticationTokenException',
            'Missing Authentication Token',
            p === 'json' ? 400 : 403,
          ),
  incomplete: (p: Protocol, missing: string[]) => {
    const message = missing
      .map((m) =>
        m === 'X-Amz-Date'
          ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
          : `Authorization header requires '${m}' parameter.`,
      )
      .join(' ');
    return p === 'query' || p === 'ec2'
      ? new AwsError('IncompleteSignature', message, p === 'ec2' ? 401 : 400)
      : new AwsError('IncompleteSignatureException', message, p === 'json' ? 400 : 403);
  },
  invalidToken: (p: Protocol) =>
    p === 'ec2'
      ? new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
      : p === 'query'
        ? new AwsError('InvalidClientTokenId', INVALID_TOKEN, 403)
        : new AwsError('UnrecognizedClientException', INVALID_TOKEN, p === 'json' ? 400 : 403),
  expired: (p: Protocol) =>
    p === 'ec2'
      ? new AwsError('RequestExpired', 'Request has expired.', 400)
      : p === 'query'
        ? new AwsError('ExpiredToken', EXPIRED_TOKEN, 400)
        : new AwsError('ExpiredTokenException', EXPIRED_TOKEN, p === 'json' ? 400 : 403),
  mismatch: (p: Protocol, message = MISMATCH) =>
    p === 'ec2'
      ? new AwsError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
      : p === 'query'
        ? new AwsError('SignatureDoesNotMatch', message, 403)
        : new AwsError('InvalidSignatureException', message, p === 'json' ? 400 : 403),
};

/** Authenticates a request, or throws the AwsError the service would answer. */
export function authenticate(state: SimState, request: SignedRequest, protocol: Protocol): Authenticated {
  const parsed = parseAuthorization(request);
  if (parsed.kind === 'missing') throw errors.missing(protocol);
  if (parsed.kind === 'incomplete') throw errors.incomplete(protocol, parsed.missing);
  const { authorization, amzDate } = parsed;
  const caller = state.sessions.get(authorization.accessKeyId);
  if (caller === undefined) throw errors.invalidToken(protocol);
  // Temporary credentials are only valid with the session token they were issued with.
  const token = request.headers['x-amz-security-token'];
  if ((caller.sessionToken !== undefined || token !== undefined) && token !== caller.sessionToken)
    throw errors.invalidToken(protocol);
  if (caller.expiration !== undefined && caller.expiration.getTime() <= Date.now())
    throw errors.expired(protocol);
  // A region the account has not opted in to does not know the account's credentials.
  if (OPT_IN_REGIONS.includes(authorization.region) && !state.regions.includes(authorization.region))
    throw errors.invalidToken(protocol);
  const problem = checkSignature(request, authorization, amzDate, caller.secretAccessKey);
  if (problem === 'host-unsigned')
    throw errors.mismatch(
      protocol,
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  if (problem === 'expired')
    throw errors.mismatch(protocol, `Signature expired: ${amzDate} is now earlier or later than 15 minutes.`);
  if (problem === 'mismatch') throw errors.mismatch(protocol);
  return {
    caller,
    accessKeyId: authorization.accessKeyId,
    region: authorization.region,
    service: authorization.service,
  };
}
