import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateKms1 } from '../../src/controls/index.js';
import { isAssumableOnlyByManagementAccount } from '../../src/controls/trust.js';
import { choiceTree, readingsOf, scanDuplicates } from '../../src/policy/duplicates.js';
import { analyzePolicy, explainAnalysis, MAX_READINGS } from '../../src/policy/index.js';
import { HOME_REGION, iamSnapshot, managedPolicy, params } from '../controls/helpers.js';

const ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];
const KEY_ONE = 'arn:aws:kms:us-east-1:111122223333:key/one';
const KEY_TWO = 'arn:aws:kms:us-east-1:111122223333:key/two';
const policy = (statements: string) => `{"Version":"2012-10-17","Statement":${statements}}`;

describe('duplicate keys in a policy document: every reading, the worst verdict', () => {
  it('"Resource":"*","Resource":"<one key>" is FAILED (JSON.parse alone keeps the key: PASSED)', () => {
    const text = policy(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Resource":"${KEY_ONE}"}`);
    expect(analyzePolicy(JSON.parse(text), ACTIONS).verdict).toBe('PASSED');
    const analysis = analyzePolicy(text, ACTIONS);
    expect(analysis).toMatchObject({
      ok: true,
      verdict: 'FAILED',
      ambiguity: { duplicatedMembers: ['Statement.Resource'], readings: 2, evaluated: 2 },
    });
    expect(explainAnalysis(analysis)).toMatch(/duplicate keys \(Statement\.Resource\): 2 of 2 readings/);
  });

  it('the same in IAM’s URL-encoded form, and with an escaped member name', () => {
    const text = policy(
      `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Resourc\\u0065":"${KEY_ONE}"}`,
    );
    expect(analyzePolicy(text, ACTIONS).verdict).toBe('FAILED');
    expect(analyzePolicy(encodeURIComponent(text), ACTIONS).verdict).toBe('FAILED');
  });

  it('a duplicated Effect or Statement counts every value', () => {
    const effect = policy(`[{"Effect":"Allow","Action":"kms:*","Resource":"*","Effect":"Deny"}]`);
    expect(analyzePolicy(effect, ACTIONS)).toMatchObject({
      verdict: 'FAILED',
      ambiguity: { duplicatedMembers: ['Statement[0].Effect'] },
    });
    const statement = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"},"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`;
    expect(analyzePolicy(statement, ACTIONS)).toMatchObject({
      verdict: 'FAILED',
      ambiguity: { duplicatedMembers: ['Statement'] },
    });
    // A Deny that exists in one reading only does not protect the other.
    const deny = policy(
      `[{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:*","Resource":"*","Action":"s3:*"}]`,
    );
    expect(analyzePolicy(deny, ACTIONS).verdict).toBe('FAILED');
  });

  it('PASSED only when every reading passes, and the ambiguity is named', () => {
    const text = policy(
      `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"${KEY_ONE}","Resource":"${KEY_TWO}"}`,
    );
    expect(analyzePolicy(text, ACTIONS)).toMatchObject({
      verdict: 'PASSED',
      ambiguity: { duplicatedMembers: ['Statement.Resource'], readings: 2, evaluated: 2 },
    });
  });

  it('a reading that cannot be evaluated makes the document NOT_AVAILABLE, naming the duplicates', () => {
    const text = policy(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Resource":5}`);
    const analysis = analyzePolicy(text, ACTIONS);
    expect(analysis.verdict).toBe('NOT_AVAILABLE');
    if (analysis.ok) throw new Error('expected NOT_AVAILABLE');
    expect(analysis.error.message).toMatch(
      /^in one reading of its duplicate keys \(Statement\.Resource\): Resource/,
    );
  });

  it('beyond the bound: FAILED from a reading that fails, otherwise NOT_AVAILABLE (never PASSED)', () => {
    // Six statements with a duplicated Sid each: 2^6 = 64 readings, more than the 32 evaluated.
    expect(MAX_READINGS).toBeLessThan(64);
    const statements = (resource: string) =>
      `[${Array.from({ length: 6 }, (_, i) => `{"Sid":"a${i}","Sid":"b${i}","Effect":"Allow","Action":"kms:Decrypt","Resource":"${i === 5 ? resource : KEY_ONE}"}`).join(',')}]`;
    const analysis = analyzePolicy(policy(statements(KEY_TWO)), ACTIONS);
    expect(analysis.verdict).toBe('NOT_AVAILABLE');
    if (analysis.ok) throw new Error('expected NOT_AVAILABLE');
    expect(analysis.error.code).toBe('AMBIGUOUS');
    expect(analysis.error.message).toMatch(/give 64 readings; none of the 32 evaluated fails/);
    expect(analyzePolicy(policy(statements('*')), ACTIONS)).toMatchObject({
      verdict: 'FAILED',
      ambiguity: { readings: 64, evaluated: 32 },
    });
  });

  it('thousands of duplicated members: bounded time, a sound answer', () => {
    // 2^2000 readings: more than a double can count.
    const statements = Array.from(
      { length: 2000 },
      (_, i) =>
        `{"Sid":"a${i}","Sid":"b${i}","Effect":"Allow","Action":"kms:Decrypt","Resource":"${KEY_ONE}"}`,
    );
    const started = performance.now();
    const analysis = analyzePolicy(policy(`[${statements.join(',')}]`), ACTIONS);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(analysis.verdict).toBe('NOT_AVAILABLE');
    if (analysis.ok) throw new Error('expected NOT_AVAILABLE');
    expect(analysis.error.message).toMatch(
      /\(Statement\[0\]\.Sid, .* and 1995 more\) that give too many readings/,
    );
  });

  it('KMS.1 reports the worst reading and says the document was ambiguous', () => {
    const text = policy(`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Resource":"${KEY_ONE}"}`);
    const [result] = evaluateKms1(
      iamSnapshot({ managedPolicies: [managedPolicy('P', text)] }),
      params()['KMS.1'],
      { region: HOME_REGION },
    );
    expect(result!.status).toBe('FAILED');
    expect(result!.reason).toMatch(
      /has duplicate keys \(Statement\.Resource\): at least one of its readings fails/,
    );
    expect(result!.evidence).toMatchObject({ ambiguity: { duplicatedMembers: ['Statement.Resource'] } });
  });

  it('a trust policy with duplicate keys never excludes a role', () => {
    const management = '999988887777';
    const trust = (principal: string) =>
      policy(
        `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${management}:root"${principal}},"Action":"sts:AssumeRole"}`,
      );
    expect(isAssumableOnlyByManagementAccount(trust(''), management, 'aws').onlyManagementAccount).toBe(true);
    const decision = isAssumableOnlyByManagementAccount(trust(`,"AWS":"*"`), management, 'aws');
    expect(decision).toEqual({
      onlyManagementAccount: false,
      why: 'the trust policy has duplicate keys (Statement.Principal.AWS)',
    });
  });
});

describe('the duplicate-key tokenizer', () => {
  it('finds none in what JSON.stringify writes (any JSON value)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(scanDuplicates(JSON.stringify(value)).duplicates).toEqual([]);
        expect(scanDuplicates(JSON.stringify(value, null, 2)).duplicates).toEqual([]);
      }),
    );
  });

  it('reads {"k":A,"k":B} as A and as B, whatever A and B are', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const text = `{ "k" : ${JSON.stringify(a)} , "k":${JSON.stringify(b, null, 1)} }`;
        const scan = scanDuplicates(text);
        expect(scan.duplicates).toEqual([{ path: 'k', count: 2 }]);
        const readings = readingsOf(choiceTree(text, scan), 10);
        expect(readings).toEqual([
          { k: JSON.parse(JSON.stringify(a)) },
          { k: JSON.parse(JSON.stringify(b)) },
        ]);
      }),
    );
  });

  it('handles any nesting depth without recursion', () => {
    const deep = `{"x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)},"x":2}`;
    expect(scanDuplicates(deep).duplicates).toEqual([{ path: 'x', count: 2 }]);
  });
});
