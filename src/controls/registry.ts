/**
 * ControlId -> how to resolve its parameters and evaluate it. `kind` tells the scan which snapshot a
 * control needs: `iam` (global, once per account in the home region) or `kms` (per account and region).
 */
import type { ControlId, ControlResult } from '../model/result.js';
import type { IamSnapshot, KmsSnapshot } from '../model/snapshot.js';
import type { IamEvaluationContext, KmsEvaluationContext } from './context.js';
import { evaluateKms1 } from './kms1.js';
import { evaluateKms2 } from './kms2.js';
import { evaluateKms3 } from './kms3.js';
import { evaluateKms4 } from './kms4.js';
import type { ControlParamsMap, ParamEnvironment, ParamResult, ResolvedControlParams } from './params.js';
import { resolveKms1Params, resolveKms2Params, resolveKms3Params, resolveKms4Params } from './params.js';

export interface IamControl<P> {
  kind: 'iam';
  resolveParams(input: unknown, env: ParamEnvironment): ParamResult<P>;
  evaluate(snapshot: IamSnapshot, params: P, context: IamEvaluationContext): ControlResult[];
}

export interface KmsControl<P> {
  kind: 'kms';
  resolveParams(input: unknown, env: ParamEnvironment): ParamResult<P>;
  evaluate(snapshot: KmsSnapshot, params: P, context: KmsEvaluationContext): ControlResult[];
}

export type IamControlId = 'KMS.1' | 'KMS.2';
export type KmsControlId = 'KMS.3' | 'KMS.4';

export type ControlRegistry = { [K in IamControlId]: IamControl<ControlParamsMap[K]> } & {
  [K in KmsControlId]: KmsControl<ControlParamsMap[K]>;
};

export const CONTROL_REGISTRY: ControlRegistry = {
  'KMS.1': { kind: 'iam', resolveParams: resolveKms1Params, evaluate: evaluateKms1 },
  'KMS.2': { kind: 'iam', resolveParams: resolveKms2Params, evaluate: evaluateKms2 },
  'KMS.3': { kind: 'kms', resolveParams: resolveKms3Params, evaluate: evaluateKms3 },
  'KMS.4': { kind: 'kms', resolveParams: resolveKms4Params, evaluate: evaluateKms4 },
};

export function controlKind(id: ControlId): 'iam' | 'kms' {
  return CONTROL_REGISTRY[id].kind;
}

export function isIamControl(id: ControlId): id is IamControlId {
  return controlKind(id) === 'iam';
}

export function isKmsControl(id: ControlId): id is KmsControlId {
  return controlKind(id) === 'kms';
}

/** Evaluates one IAM control with the already resolved parameters of all controls. */
export function evaluateIamControl(
  id: IamControlId,
  snapshot: IamSnapshot,
  params: ResolvedControlParams,
  context: IamEvaluationContext,
): ControlResult[] {
  return id === 'KMS.1'
    ? CONTROL_REGISTRY['KMS.1'].evaluate(snapshot, params['KMS.1'], context)
    : CONTROL_REGISTRY['KMS.2'].evaluate(snapshot, params['KMS.2'], context);
}

/** Evaluates one KMS control with the already resolved parameters of all controls. */
export function evaluateKmsControl(
  id: KmsControlId,
  snapshot: KmsSnapshot,
  params: ResolvedControlParams,
  context: KmsEvaluationContext,
): ControlResult[] {
  return id === 'KMS.3'
    ? CONTROL_REGISTRY['KMS.3'].evaluate(snapshot, params['KMS.3'], context)
    : CONTROL_REGISTRY['KMS.4'].evaluate(snapshot, params['KMS.4'], context);
}
