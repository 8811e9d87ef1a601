/**
 * A stand-in AWS endpoint that answers each request from a function, for the odd answers AWS may give and
 * the simulator does not make (an error code it never sends, a response that leaves optional fields out).
 * Real SDK clients talk to it over HTTP.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';

export interface EndpointRequest {
  /** The JSON 1.1 operation (`TrentService.DescribeKey`), for the JSON protocols. */
  target: string | undefined;
  path: string;
}

export interface EndpointAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** Runs `use` with the endpoint's URL, then closes it. */
export async function withEndpoint(
  answer: (request: EndpointRequest) => EndpointAnswer,
  use: (endpoint: string) => Promise<void>,
): Promise<void> {
  const server = createServer((request, response) => {
    request.resume().on('end', () => {
      const target = request.headers['x-amz-target'];
      const reply = answer({
        target: typeof target === 'string' ? target : undefined,
        path: request.url ?? '/',
      });
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await use(`http://127.0.0.1:${port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Runs `use` with a Security Hub client (one attempt per call) of an endpoint that answers from `answer`. */
export async function withSecurityHubEndpoint(
  region: string,
  answer: (request: EndpointRequest) => EndpointAnswer,
  use: (client: SecurityHubClient) => Promise<void>,
): Promise<void> {
  await withEndpoint(answer, async (endpoint) => {
    const client = new SecurityHubClient({
      endpoint,
      region,
      credentials: { accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    try {
      await use(client);
    } finally {
      client.destroy();
    }
  });
}
