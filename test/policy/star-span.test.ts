/**
 * Direct examples of the one resource-matching rule that is easy to get wrong (SEMANTICS.md, after AWS):
 * a `*` that is the last character of an ARN segment (followed by `:` or the end) may expand across `:`;
 * any other `*`, and every `?`, matches within one segment only. Expected coverages are worked out by hand
 * from that rule for the KMS key space `arn:aws:kms:<region>:<account>:key/<id>`.
 */
import { describe, expect, it } from 'vitest';
import type { Coverage } from '../../src/policy/index.js';
import { analyzePolicy } from '../../src/policy/index.js';

function decryptCoverage(resource: string): { coverage: Coverage; granted?: string; notGranted?: string } {
  const analysis = analyzePolicy(
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: resource }],
    },
    ['kms:Decrypt'],
  );
  if (!analysis.ok) throw new Error(`${resource}: ${analysis.error.message}`);
  const action = analysis.actions[0]!;
  return {
    coverage: action.coverage,
    ...(action.keyGranted ? { granted: action.keyGranted } : {}),
    ...(action.keyNotGranted ? { notGranted: action.keyNotGranted } : {}),
  };
}

const KEY_ARN = /^arn:aws:kms:[^:]+:\d{12}:key\/[^:]+$/;

describe('a segment-final `*` spans colons', () => {
  it.each([
    ['the whole ARN', '*'],
    ['everything after the service', 'arn:aws:kms:*'],
    ['region and account in one star', 'arn:aws:kms:*:key/*'],
    ['service, region and account in one star', 'arn:aws:*:key/*'],
    ['a star ending a partial service segment', 'arn:aws:k*:key/*'],
  ])('%s: %s covers every key', (_name, resource) => {
    const result = decryptCoverage(resource);
    expect(result.coverage).toBe('ALL');
    expect(result.granted).toMatch(KEY_ARN);
  });

  it.each([
    ['arn:aws:kms:us-east-1:*', /^arn:aws:kms:us-east-1:/],
    ['arn:aws:kms:*:111122223333:key/*', /^arn:aws:kms:[^:]+:111122223333:key\//],
  ])('%s covers part of the key space: the fixed part holds', (resource, granted) => {
    const result = decryptCoverage(resource);
    expect(result.coverage).toBe('PARTIAL');
    expect(result.granted).toMatch(granted);
    expect(result.granted).toMatch(KEY_ARN);
    expect(result.notGranted).toMatch(KEY_ARN);
    expect(result.notGranted).not.toMatch(granted);
  });
});

describe('an inner `*` and every `?` stay within their segment', () => {
  it.each([
    // Were the inner star to span, it would match `us-east-1:111122223333` and grant keys.
    ['an inner star that could only match across a colon', 'arn:aws:kms:us-east-1*3:key/*'],
    ['an inner star with the account segment missing', 'arn:aws:kms:*3:key/*'],
    // A `?` in place of the colon between region and account.
    ['a question mark in place of a colon', 'arn:aws:kms:us-east-1?111122223333:key/*'],
  ])('%s: %s covers no key', (_name, resource) => {
    expect(decryptCoverage(resource).coverage).toBe('NONE');
  });

  it('an inner star matches within the segment: us-*-1 grants us-east-1 keys, not eu-west-1 ones', () => {
    const result = decryptCoverage('arn:aws:kms:us-*-1:111122223333:key/*');
    expect(result.coverage).toBe('PARTIAL');
    expect(result.granted).toMatch(/^arn:aws:kms:us-[^:]*-1:111122223333:key\//);
    expect(result.notGranted).toMatch(KEY_ARN);
  });

  it('the same pattern with the star made segment-final spans again', () => {
    // `us-east-1*` ends its segment: it matches `us-east-1:111122223333`... and the rest.
    expect(decryptCoverage('arn:aws:kms:us-east-1*').coverage).toBe('PARTIAL');
    expect(decryptCoverage('arn:aws:kms:us-east-1*3:key/*').coverage).toBe('NONE');
  });
});
