/**
 * SigV4 verification (the AWS "Signature Version 4" algorithm, header form): the simulator recomputes
 * the signature of every request with the secret key it issued and refuses a mismatch, as AWS does.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  method: string;
  /** The request target as received: path and query, still percent-encoded. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** What the Authorization header claims. */
export interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export type ParsedAuthorization =
  | { kind: 'missing' }
  | { kind: 'incomplete'; missing: string[] }
  | { kind: 'ok'; authorization: Authorization; amzDate: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';

const header = (request: SignedRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

/** Reads the Authorization header; `incomplete` names what AWS says is missing. */
export function parseAuthorization(request: SignedRequest): ParsedAuthorization {
  const value = header(request, 'authorization');
  if (value === undefined || value.trim() === '') return { kind: 'missing' };
  const fields = new Map<string, string>();
  const rest = value.startsWith(`${ALGORITHM} `) ? value.slice(ALGORITHM.length + 1) : '';
  for (const part of rest.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((f) => !fields.get(f));
  const amzDate = header(request, 'x-amz-date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) missing.push('X-Amz-Date');
  const scope = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(fields.get('Credential') ?? '');
  if (missing.length === 0 && scope === null) missing.push('Credential');
  if (missing.length > 0) return { kind: 'incomplete', missing };
  const [, accessKeyId, date, region, service] = scope as unknown as [string, string, string, string, string];
  return {
    kind: 'ok',
    amzDate,
    authorization: {
      accessKeyId,
      date,
      region,
      service,
      signedHeaders: fields.get('SignedHeaders')!.split(';'),
      signature: fields.get('Signature')!,
    },
  };
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const rfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
};

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const [key, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      return [rfc3986(decode(key)), rfc3986(decode(value))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Non-S3 services encode each path segment once more than the wire form. */
function canonicalPath(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((segment) => rfc3986(segment))
    .join('/');
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The signature a client holding `secretAccessKey` would compute for this request. */
export function expectedSignature(
  request: SignedRequest,
  authorization: Authorization,
  amzDate: string,
  secretAccessKey: string,
): string {
  const [path = '', query = ''] = splitOnce(request.url, '?');
  const headers = authorization.signedHeaders
    .map((name) => {
      const value = header(request, name) ?? '';
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalPath(path),
    canonicalQuery(query),
    headers,
    authorization.signedHeaders.join(';'),
    sha256(request.body),
  ].join('\n');
  const scope = `${authorization.date}/${authorization.region}/${authorization.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(
    hmac(
      hmac(hmac(`AWS4${secretAccessKey}`, authorization.date), authorization.region),
      authorization.service,
    ),
    'aws4_request',
  );
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

export type SignatureProblem = 'mismatch' | 'expired' | 'host-unsigned';

/** Why AWS would refuse this signature, or undefined when it is valid. */
export function checkSignature(
  request: SignedRequest,
  authorization: Authorization,
  amzDate: string,
  secretAccessKey: string,
  now = Date.now(),
): SignatureProblem | undefined {
  if (!authorization.signedHeaders.includes('host')) return 'host-unsigned';
  if (!amzDate.startsWith(authorization.date)) return 'mismatch';
  const signed = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  // AWS accepts a signature within 15 minutes of its own clock.
  if (!Number.isFinite(signed) || Math.abs(now - signed) > 15 * 60_000) return 'expired';
  const expected = Buffer.from(expectedSignature(request, authorization, amzDate, secretAccessKey));
  const given = Buffer.from(authorization.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : 'mismatch';
}
