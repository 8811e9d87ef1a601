/** Wire formats of the AWS protocols the simulator speaks: responses and errors the real SDK parses. */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export type Protocol = 'query' | 'ec2' | 'json' | 'rest-json';

/** An AWS error as the service would return it. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Further members of a JSON error body (Organizations' `Reason`). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const escapeXml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** Serialises a value to AWS query-protocol XML: arrays as <member> lists (or <item> for EC2). */
export function toXml(value: unknown, listItem = 'member'): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value))
    return value.map((v) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v, listItem)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function sendQuery(res: ServerResponse, action: string, namespace: string, result: unknown): void {
  const body =
    `<${action}Response xmlns="${namespace}"><${action}Result>${toXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
}

export function sendEc2(res: ServerResponse, action: string, result: unknown): void {
  const body = `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId>${toXml(result, 'item')}</${action}Response>`;
  res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
}

export function sendJson(
  res: ServerResponse,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
): void {
  res.writeHead(200, { 'content-type': contentType }).end(JSON.stringify(body ?? {}));
}

export function sendError(res: ServerResponse, protocol: Protocol, error: AwsError): void {
  const requestId = randomUUID();
  if (protocol === 'query') {
    const type = error.status >= 500 ? 'Receiver' : 'Sender';
    res
      .writeHead(error.status, { 'content-type': 'text/xml' })
      .end(
        `<ErrorResponse><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
  } else if (protocol === 'ec2') {
    res
      .writeHead(error.status, { 'content-type': 'text/xml' })
      .end(
        `<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      );
  } else if (protocol === 'json') {
    res
      .writeHead(error.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
      })
      .end(JSON.stringify({ __type: error.code, message: error.message, ...error.extra }));
  } else {
    res
      .writeHead(error.status, {
        'content-type': 'application/json',
        'x-amzn-errortype': error.code,
        'x-amzn-requestid': requestId,
      })
      .end(
        JSON.stringify({ Code: error.code, Message: error.message, message: error.message, ...error.extra }),
      );
  }
}

/** The throttling error each service returns. */
export function throttlingError(service: string): AwsError {
  switch (service) {
    case 'kms':
      return new AwsError('ThrottlingException', 'Rate exceeded', 400);
    case 'securityhub':
      return new AwsError('TooManyRequestsException', 'Rate exceeded', 429);
    case 'organizations':
      return new AwsError('TooManyRequestsException', 'Rate exceeded', 400);
    case 'ec2':
      return new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
    default:
      return new AwsError('Throttling', 'Rate exceeded', 400);
  }
}

export function internalError(service: string): AwsError {
  if (service === 'kms') return new AwsError('KMSInternalException', 'internal error (injected)', 500);
  if (service === 'securityhub') return new AwsError('InternalException', 'internal error (injected)', 500);
  if (service === 'ec2') return new AwsError('InternalError', 'internal error (injected)', 500);
  if (service === 'organizations') return new AwsError('ServiceException', 'internal error (injected)', 500);
  return new AwsError('ServiceUnavailable', 'service unavailable (injected)', 503);
}
