/** A collection failure, kept per unit and control: it never stops other units. */
export class CollectionError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
  ) {
    super(`${operation}: ${code}: ${message}`);
    this.name = 'CollectionError';
  }
}

/** The AWS error code of an SDK error (its `name`), or a generic code for anything else. */
export function errorCode(error: unknown): string {
  if (error instanceof CollectionError) return error.code;
  if (error instanceof Error && error.name !== 'Error') return error.name;
  return 'UnknownError';
}

/**
 * Error codes that say "try again later" (throttling, AWS-side faults, timeouts), as opposed to an answer
 * (access denied, not found) that a retry would only repeat. The SDK already retried each call; these
 * decide whether a whole unit is worth another run.
 */
const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalException',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'RetriesExhausted',
  // Services' own names for "our side failed, try again".
  'KMSInternalException',
  'DependencyTimeoutException',
  'ServiceFailure',
  'ServiceFailureException',
  'Unavailable',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

export function isTransientCode(code: string): boolean {
  return TRANSIENT_CODES.has(code);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps an SDK failure so the unit's record says which call failed and why. */
export function asCollectionError(operation: string, error: unknown): CollectionError {
  if (error instanceof CollectionError) return error;
  return new CollectionError(operation, errorCode(error), errorMessage(error));
}
