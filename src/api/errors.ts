/**
 * The one way the API answers an error: `{ error, message, statusCode }` (plus the route's documented
 * extras), with `error` the status's standard reason phrase, whoever raised it (a route, the auth hook,
 * validation, a plugin such as the rate limiter, or an unexpected failure).
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from './schemas.js';

export function errorBody(statusCode: number, message: string): ErrorBody;
export function errorBody<Extra extends object>(
  statusCode: number,
  message: string,
  extra: Extra,
): ErrorBody & Extra;
export function errorBody(statusCode: number, message: string, extra: object = {}): ErrorBody {
  return { error: STATUS_CODES[statusCode] ?? 'Error', message, statusCode, ...extra };
}
