/**
 * Raw signed requests to the simulator, signed by the SDK's own SigV4 signer (@smithy/signature-v4),
 * never by the simulator's verifier: for bodies no SDK client would send (malformed JSON, fuzzing).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Buffer =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** The checksum constructor the signer wants, over node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}

export interface RawRequest {
  service: string;
  region?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body: string;
  credentials: Credentials;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Which headers a service's requests carry, so the simulator routes and parses them. */
export function protocolHeaders(service: string, target?: string): Record<string, string> {
  if (service === 'kms' || service === 'organizations')
    return {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${service === 'kms' ? 'TrentService' : 'AWSOrganizationsV20161128'}.${target ?? ''}`,
    };
  if (service === 'securityhub') return { 'content-type': 'application/json' };
  return { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
}

export async function signedFetch(endpoint: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  const region = request.region ?? 'us-east-1';
  const signer = new SignatureV4({
    service: request.service,
    region,
    credentials: request.credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: request.method ?? 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: request.path ?? '/',
    query: {},
    headers: { host: url.host, ...request.headers },
    body: request.body,
  });
  const response = await fetch(`${endpoint}${request.path ?? '/'}`, {
    method: request.method ?? 'POST',
    headers: Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host')),
    ...(request.body === '' && request.method === 'GET' ? {} : { body: request.body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
