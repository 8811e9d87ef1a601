import { createServer } from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1 (for child processes that need a fixed port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
