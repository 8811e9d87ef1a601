/**
 * Beyond IAM's limits the engine may give up (TOO_COMPLEX); the finding then must not hide as
 * INFORMATIONAL: WARNING, with the control's own severity and a reason that names the budget.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { evaluateKms1, evaluateKms2 } from '../../src/controls/index.js';
import { toFinding, validateFinding } from '../../src/findings/index.js';
import { analyzePolicy } from '../../src/policy/index.js';
import {
  ALLOW_ONE_ACCOUNT,
  doc,
  HOME_REGION,
  iamSnapshot,
  identity,
  managedPolicy,
  params,
} from '../controls/helpers.js';

// IAM caps a resource ARN at 2,048 characters; this one is a hand-made 6,000.
const HUGE = doc({
  Sid: 'Huge',
  Effect: 'Allow',
  Action: 'kms:Decrypt',
  Resource: [`arn:aws:kms:*:*:key/${'a?'.repeat(3_000)}*`, 'arn:aws:kms:*:*:key/b*'],
});
const context = { region: HOME_REGION };
const mapping = { productName: 'keywarden', companyName: 'keywarden', now: '2026-12-02T00:00:00.000Z' };

describe('a document beyond the engine budget', () => {
  it('is TOO_COMPLEX for the engine, naming the budget', () => {
    const analysis = analyzePolicy(HUGE, ['kms:Decrypt']);
    expect(analysis.ok).toBe(false);
    if (analysis.ok) return;
    expect(analysis.error.code).toBe('TOO_COMPLEX');
    expect(analysis.error.message).toMatch(/budget \(a resource pattern longer than 4096 characters\)/);
  });

  it('makes KMS.1 a WARNING finding with severity MEDIUM that the ASFF validator accepts', () => {
    const [result] = evaluateKms1(
      iamSnapshot({ managedPolicies: [managedPolicy('P', HUGE)] }),
      params()['KMS.1'],
      context,
    );
    expect(result!.status).toBe('WARNING');
    expect(result!.reasonCode).toBe('POLICY_TOO_COMPLEX');
    expect(result!.reason).toMatch(/budget/);
    const finding = toFinding(result!, loadCatalog().get('KMS.1'), mapping);
    expect(finding.Compliance?.Status).toBe('WARNING');
    expect(finding.Severity.Label).toBe('MEDIUM');
    expect(finding.FindingProviderFields?.Severity?.Label).toBe('MEDIUM');
    expect(validateFinding(finding)).toEqual([]);
  });

  it('makes KMS.2 a WARNING for the identity even when its other inline policy is fine', () => {
    const role = identity('role', 'R', { Scoped: ALLOW_ONE_ACCOUNT, Huge: HUGE });
    const [result] = evaluateKms2(iamSnapshot({ identities: [role] }), params()['KMS.2'], context);
    expect(result!.status).toBe('WARNING');
    expect(result!.reason).toMatch(/^Inline policy 'Huge' could not be analysed: .*budget/);
  });

  it('outranks an invalid inline policy of the same identity: WARNING, naming the undecidable one', () => {
    // An invalid document (no Effect) alone is NOT_AVAILABLE; the undecidable one may hide a grant.
    const invalid = doc({ Action: 'kms:Decrypt', Resource: '*' });
    for (const inline of [
      { Broken: invalid, Huge: HUGE },
      { Huge: HUGE, Broken: invalid },
    ]) {
      const role = identity('role', 'R', inline);
      const [result] = evaluateKms2(iamSnapshot({ identities: [role] }), params()['KMS.2'], context);
      expect(result!.status).toBe('WARNING');
      expect(result!.reasonCode).toBe('POLICY_TOO_COMPLEX');
      expect(result!.reason).toMatch(/^Inline policy 'Huge' could not be analysed/);
    }
    const alone = identity('role', 'R', { Broken: invalid });
    const [result] = evaluateKms2(iamSnapshot({ identities: [alone] }), params()['KMS.2'], context);
    expect(result!.status).toBe('NOT_AVAILABLE');
  });
});
