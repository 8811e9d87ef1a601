/**
 * Request parameters checked as AWS's front end checks them: types, ranges, lengths and patterns, with
 * AWS's "N validation errors detected" message. A bad value is refused, never clamped or guessed.
 */
import { AwsError } from './protocol.js';

/** Collects constraint failures of one request, then throws them as one error (or nothing). */
export class ParamCheck {
  private readonly failures: string[] = [];

  constructor(
    /** The error code of the service: ValidationException, ValidationError, InvalidInputException... */
    private readonly code: string,
    /** The code for a value of the wrong type (JSON 1.1: SerializationException). */
    private readonly typeCode = 'SerializationException',
    private readonly extra: Record<string, string> = {},
  ) {}

  private fail(name: string, value: unknown, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
    this.failures.push(`Value ${shown} at '${name}' failed to satisfy constraint: Member must ${constraint}`);
  }

  /** An optional integer within [min, max]; `value` is a JSON value or a query-string value. */
  integer(name: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) {
      throw new AwsError(
        this.typeCode,
        `${name}: ${JSON.stringify(value)} can not be converted to an Integer`,
      );
    }
    if (number < min) this.fail(name, value, `have value greater than or equal to ${min}`);
    else if (number > max) this.fail(name, value, `have value less than or equal to ${max}`);
    return number;
  }

  /** An optional string of [min, max] characters matching `pattern` (when given). */
  string(
    name: string,
    value: unknown,
    min: number,
    max: number,
    pattern?: RegExp,
    required = false,
  ): string | undefined {
    if (value === undefined || value === null) {
      if (required)
        this.failures.push(`Value null at '${name}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof value !== 'string')
      throw new AwsError(this.typeCode, `${name}: expected a string, got ${typeof value}`);
    if (value.length < min) this.fail(name, value, `have length greater than or equal to ${min}`);
    else if (value.length > max) this.fail(name, value, `have length less than or equal to ${max}`);
    else if (pattern && !pattern.test(value))
      this.fail(name, value, `satisfy regular expression pattern: ${pattern.source.replace(/^\^|\$$/g, '')}`);
    return value;
  }

  /** Throws the collected failures, if any. */
  done(): void {
    const n = this.failures.length;
    if (n === 0) return;
    throw new AwsError(
      this.code,
      `${n} validation error${n > 1 ? 's' : ''} detected: ${this.failures.join('; ')}`,
      400,
      this.extra,
    );
  }
}

/** The members of a JSON body, refusing a body that is not an object (AWS: SerializationException). */
export function jsonObject(value: unknown, what = 'request body'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AwsError(
      'SerializationException',
      `Start of structure or map found where not expected: ${what}`,
    );
  return value as Record<string, unknown>;
}
