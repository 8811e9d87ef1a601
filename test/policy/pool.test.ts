/** The worker-thread pool: analyses off the event loop, and a document over the time budget is cut off. */
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyEvaluator } from '../../src/evaluate/policy-pool.js';
import { analyzePolicy } from '../../src/policy/index.js';
import { ALLOW_DECRYPT_ALL } from '../controls/helpers.js';

const evaluator = new PolicyEvaluator({ workers: 1 });
afterAll(() => evaluator.close());
const task = (document: unknown) => ({ document, blockedActions: ['kms:Decrypt'], partition: 'aws' });

// Far beyond IAM's limits: thousands of distinct patterns, each needing its own search.
const SLOW = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: Array.from({ length: 20_000 }, (_, i) => `arn:aws:kms:*${i}?????????:*:key/*${i}*`),
    },
  ],
};

describe('the policy pool', () => {
  it('returns what the engine returns, from a worker thread', async () => {
    expect(await evaluator.analyze(task(ALLOW_DECRYPT_ALL))).toEqual(
      analyzePolicy(ALLOW_DECRYPT_ALL, ['kms:Decrypt']),
    );
  });

  it('cuts off a document over the time budget as TOO_COMPLEX, and keeps serving', async () => {
    const slow = await evaluator.analyze(task(SLOW), 50);
    expect(slow.ok).toBe(false);
    if (!slow.ok) {
      expect(slow.error.code).toBe('TOO_COMPLEX');
      expect(slow.error.message).toBe(
        'the policy could not be decided within the time budget of 50 ms per document',
      );
    }
    const next = await evaluator.analyze(task(ALLOW_DECRYPT_ALL));
    expect(next.ok && next.verdict).toBe('FAILED');
  });
});
