/**
 * Vitest global setup: one line for the whole run when the Redis tests are skipped. Under CI=true they are
 * not skipped, so each of them fails with MISSING_IN_CI from startRedis instead.
 */
import { SKIP_LINE, redisPlan } from './redis-plan.js';

export default function setup(): void {
  const plan = redisPlan();
  if (plan.kind === 'missing' && !plan.required) process.stderr.write(`\n${SKIP_LINE}\n\n`);
}
