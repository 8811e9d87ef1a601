/** The scope contract's messages stay short and name what is wrong, whatever the sender wrote. */
import { describe, expect, it } from 'vitest';
import { parseScanScope, ScopeInputError } from '../../src/model/scope.js';

const message = (data: unknown) => {
  try {
    parseScanScope(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ScopeInputError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(data)}`);
};

describe('parseScanScope', () => {
  it('accepts a well-formed scope as it is, repeats and all', () => {
    const scope = {
      accounts: ['111122223333', '111122223333'],
      regions: ['eu-west-1'],
      controls: ['KMS.3'],
      dryRun: false,
    };
    expect(parseScanScope(scope)).toBe(scope);
    expect(parseScanScope({})).toEqual({});
  });

  it('refuses what is not an object', () => {
    for (const data of [null, 'accounts', [], 42])
      expect(message(data)).toBe(
        'invalid scope: expected an object with the optional fields accounts, regions, controls, dryRun',
      );
  });

  it('names at most ten bad values of a list, then how many more', () => {
    const accounts = Array.from({ length: 12 }, (_, i) => `bad${i}`);
    expect(message({ accounts })).toBe(
      'invalid scope: accounts: not a 12-digit account id: ' +
        `${accounts
          .slice(0, 10)
          .map((a) => `"${a}"`)
          .join(', ')} and 2 more`,
    );
  });

  it('cuts long values and field names, and names at most ten fields', () => {
    expect(message({ regions: ['x'.repeat(500)] })).toBe(
      `invalid scope: regions: unknown region: "${'x'.repeat(60)}...`,
    );
    expect(message({ ['y'.repeat(500)]: 1 })).toBe(`invalid scope: ${'y'.repeat(61)}...: unknown field`);
    const fields = Object.fromEntries(
      Array.from({ length: 15 }, (_, i) => [`f${String(i).padStart(2, '0')}`, i]),
    );
    const text = message(fields);
    expect(text.endsWith('f09: unknown field; and 5 more fields')).toBe(true);
    expect(text.length).toBeLessThan(400);
  });
});
