/**
 * Direct example tests of the duplicate-key tokenizer and of the readings it gives (src/policy/duplicates.ts):
 * tiny JSON texts whose duplicated members, container offsets and readings are written out by hand. No
 * time bound and no property test, so the file is cheap enough for the mutation run.
 */
import { describe, expect, it } from 'vitest';
import type { ChoiceNode } from '../../src/policy/duplicates.js';
import { choiceTree, countReadings, readingsOf, scanDuplicates } from '../../src/policy/duplicates.js';

/** The readings of a text, through the tokenizer and the choice tree. */
const readings = (text: string, limit = 100): unknown[] =>
  readingsOf(choiceTree(text, scanDuplicates(text)), limit);
const count = (text: string): number => countReadings(choiceTree(text, scanDuplicates(text)));
const value = (v: unknown): ChoiceNode => ({ kind: 'value', value: v });

describe('scanDuplicates: which members are duplicated, and where', () => {
  it('finds none in texts without a repeated member name in one object', () => {
    for (const text of [
      '5',
      '-1.5e3',
      'true',
      'null',
      '"k"',
      '[]',
      '{}',
      '{"t":true,"f":false,"n":null,"x":-1.5e3,"s":"s"}',
      // The same name in different objects, or as a value, or in different case, is no duplicate.
      '{"a":{"k":1},"k":2}',
      '{"a":{"b":1},"b":{"b":2}}',
      '{"a":"a","b":"a"}',
      '{"k":1,"K":2}',
      '{"a":["x","x",1,1]}',
      '[{"k":1},{"k":1}]',
    ]) {
      expect(scanDuplicates(text).duplicates, text).toEqual([]);
    }
  });

  it('counts each value of a member, and not the string values that follow a name', () => {
    expect(scanDuplicates('{"k":1,"k":2}').duplicates).toEqual([{ path: 'k', count: 2 }]);
    expect(scanDuplicates('{"k":1,"k":2,"k":3}').duplicates).toEqual([{ path: 'k', count: 3 }]);
    expect(scanDuplicates('{"a":"a","a":"b"}').duplicates).toEqual([{ path: 'a', count: 2 }]);
    expect(scanDuplicates('{"a":"b","b":"a","a":"a"}').duplicates).toEqual([{ path: 'a', count: 2 }]);
  });

  it('names the member by its path: member names joined by dots, array indexes in brackets', () => {
    const path = (text: string) => scanDuplicates(text).duplicates.map((d) => d.path);
    expect(path('{"x":{"y":{"k":1,"k":2}}}')).toEqual(['x.y.k']);
    expect(path('{"a":[1,"s",{"k":1,"k":2}]}')).toEqual(['a[2].k']);
    expect(path('[{"k":1,"k":2}]')).toEqual(['[0].k']);
    expect(path('[0,[1,{"k":1,"k":2}]]')).toEqual(['[1][1].k']);
    expect(path('{"a":[[0,{"k":1,"k":2}]]}')).toEqual(['a[0][1].k']);
    expect(path('{"a":[{"b":{"k":1,"k":2}}]}')).toEqual(['a[0].b.k']);
    expect(path('{"a":{"b":[]},"c":{"k":1,"k":2}}')).toEqual(['c.k']);
    // Once per path, in the order first found, with the highest count.
    expect(scanDuplicates('{"a":{"k":1,"k":2},"a":{"k":3,"k":4,"k":5}}').duplicates).toEqual([
      { path: 'a.k', count: 3 },
      { path: 'a', count: 2 },
    ]);
  });

  it('reads names as JSON does: escapes decoded, escaped quotes and delimiters inside strings skipped', () => {
    expect(scanDuplicates('{"Resourc\\u0065":1,"Resource":2}').duplicates).toEqual([
      { path: 'Resource', count: 2 },
    ]);
    expect(scanDuplicates('{"a\\"b":1,"a\\"b":2}').duplicates).toEqual([{ path: 'a"b', count: 2 }]);
    expect(scanDuplicates('{"s":"}],{\\\\","k":1,"k":2}').duplicates).toEqual([{ path: 'k', count: 2 }]);
    expect(scanDuplicates('{ "k" :\n1 ,\t"k"\r: 2 }').duplicates).toEqual([{ path: 'k', count: 2 }]);
  });

  it('records every container end and the containers that hold a duplicate, themselves or deeper', () => {
    // '[' at 5, its ']' at 7; the inner '{' at 13, its '}' at 25; the outer '}' at 26.
    const text = '{"a":[1],"b":{"c":1,"c":2}}';
    const scan = scanDuplicates(text);
    expect(scan.duplicates).toEqual([{ path: 'b.c', count: 2 }]);
    expect(scan.ambiguous).toEqual(new Set([13, 0]));
    expect(scan.ends).toEqual(
      new Map([
        [5, 7],
        [13, 25],
        [0, 26],
      ]),
    );
    expect(scanDuplicates('[[1],{"k":1,"k":2},{}]').ambiguous).toEqual(new Set([5, 0]));
    expect(scanDuplicates('{"a":[1]}')).toEqual({
      duplicates: [],
      ambiguous: new Set(),
      ends: new Map([
        [5, 7],
        [0, 8],
      ]),
    });
  });
});

describe('choiceTree: ambiguous containers taken apart, the rest parsed as it is', () => {
  it('keeps every value of a duplicated member, in order', () => {
    const text = '{ "k" : [ 1 , 2 ] , "k" : { "x" : true } , "s" : "a b:c,d" }';
    expect(choiceTree(text, scanDuplicates(text))).toEqual({
      kind: 'object',
      members: new Map([
        ['k', [value([1, 2]), value({ x: true })]],
        ['s', [value('a b:c,d')]],
      ]),
    });
  });

  it('takes apart an ambiguous array and nested ambiguous objects', () => {
    const text = '[{"k":{"x":1,"x":2},"k":"v w"},[3],null,-2.5e1]';
    expect(choiceTree(text, scanDuplicates(text))).toEqual({
      kind: 'array',
      items: [
        {
          kind: 'object',
          members: new Map([
            [
              'k',
              [
                {
                  kind: 'object',
                  members: new Map([['x', [value(1), value(2)]]]),
                },
                value('v w'),
              ],
            ],
          ]),
        },
        value([3]),
        value(null),
        value(-25),
      ],
    });
  });

  it('carries on after an ambiguous container that is not the last value', () => {
    expect(readings('{"a":[{"k":1,"k":2}],"b":1}')).toEqual([
      { a: [{ k: 1 }], b: 1 },
      { a: [{ k: 2 }], b: 1 },
    ]);
    expect(readings('[{"k":1,"k":2},[{"j":3,"j":4}],5]')).toEqual([
      [{ k: 1 }, [{ j: 3 }], 5],
      [{ k: 1 }, [{ j: 4 }], 5],
      [{ k: 2 }, [{ j: 3 }], 5],
      [{ k: 2 }, [{ j: 4 }], 5],
    ]);
  });

  it('parses a document that is a single value, up to its last character', () => {
    expect(choiceTree('12', scanDuplicates('12'))).toEqual(value(12));
    expect(choiceTree('"a b"', scanDuplicates('"a b"'))).toEqual(value('a b'));
    expect(choiceTree('{"a":[1]}', scanDuplicates('{"a":[1]}'))).toEqual(value({ a: [1] }));
  });

  it('decodes escaped names, so both spellings are one member', () => {
    const text = '{"Resourc\\u0065":"*","Resource":"k"}';
    expect(choiceTree(text, scanDuplicates(text))).toEqual({
      kind: 'object',
      members: new Map([['Resource', [value('*'), value('k')]]]),
    });
  });
});

describe('readings: each duplicated member taking each of its values, the last member varying fastest', () => {
  it('one member with two values: two readings', () => {
    expect(readings('{"a":0,"k":1,"k":2}')).toEqual([
      { a: 0, k: 1 },
      { a: 0, k: 2 },
    ]);
    expect(count('{"a":0,"k":1,"k":2}')).toBe(2);
  });

  it('two members: every combination, in order', () => {
    const all = [
      { a: 1, b: 3 },
      { a: 1, b: 4 },
      { a: 2, b: 3 },
      { a: 2, b: 4 },
    ];
    const text = '{"a":1,"a":2,"b":3,"b":4}';
    expect(readings(text)).toEqual(all);
    expect(count(text)).toBe(4);
    expect(readings(text, 4)).toEqual(all);
    expect(readings(text, 3)).toEqual(all.slice(0, 3));
    expect(readings(text, 1)).toEqual(all.slice(0, 1));
  });

  it('a member without a choice between two that have one, and a fixed member last', () => {
    expect(readings('{"a":1,"a":2,"m":0,"b":3,"b":4,"b":5}')).toEqual([
      { a: 1, m: 0, b: 3 },
      { a: 1, m: 0, b: 4 },
      { a: 1, m: 0, b: 5 },
      { a: 2, m: 0, b: 3 },
      { a: 2, m: 0, b: 4 },
      { a: 2, m: 0, b: 5 },
    ]);
    expect(count('{"a":1,"a":2,"m":0,"b":3,"b":4,"b":5}')).toBe(6);
    expect(readings('{"a":1,"a":2,"z":3}')).toEqual([
      { a: 1, z: 3 },
      { a: 2, z: 3 },
    ]);
  });

  it('readings of an array multiply; the values of one member add up', () => {
    expect(readings('[{"k":1,"k":2},"s",{"j":1,"j":2}]')).toEqual([
      [{ k: 1 }, 's', { j: 1 }],
      [{ k: 1 }, 's', { j: 2 }],
      [{ k: 2 }, 's', { j: 1 }],
      [{ k: 2 }, 's', { j: 2 }],
    ]);
    expect(count('[{"k":1,"k":2},"s",{"j":1,"j":2}]')).toBe(4);
    expect(count('{"a":[{"k":1,"k":2},{"k":3,"k":4,"k":5}]}')).toBe(6);
    // k: 2 readings from its first value plus 1 from its second; j: 2.
    const text = '{"k":{"x":1,"x":2},"k":3,"j":[{"y":1,"y":2}]}';
    expect(count(text)).toBe(6);
    expect(readings(text)).toEqual([
      { k: { x: 1 }, j: [{ y: 1 }] },
      { k: { x: 1 }, j: [{ y: 2 }] },
      { k: { x: 2 }, j: [{ y: 1 }] },
      { k: { x: 2 }, j: [{ y: 2 }] },
      { k: 3, j: [{ y: 1 }] },
      { k: 3, j: [{ y: 2 }] },
    ]);
    expect(readings(text, 5)).toHaveLength(5);
  });

  it('a member named __proto__ stays an own, plain data member, as JSON.parse keeps it', () => {
    const [first, second] = readings('{"__proto__":1,"__proto__":{"a":2}}');
    expect(Object.getOwnPropertyDescriptors(first)).toEqual(
      Object.getOwnPropertyDescriptors(JSON.parse('{"__proto__":1}')),
    );
    expect(Object.getOwnPropertyDescriptors(second)).toEqual(
      Object.getOwnPropertyDescriptors(JSON.parse('{"__proto__":{"a":2}}')),
    );
    expect(Object.getPrototypeOf(second)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(readings('{"k":1,"k":2}')[0], 'k')).toEqual({
      value: 1,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });

  it('trees built by hand: as many readings as countReadings says, none when a member has no value', () => {
    const cases: [ChoiceNode, unknown[]][] = [
      [value('v'), ['v']],
      [{ kind: 'array', items: [] }, [[]]],
      [{ kind: 'object', members: new Map() }, [{}]],
      [{ kind: 'object', members: new Map([['k', []]]) }, []],
      [{ kind: 'array', items: [value(1), { kind: 'object', members: new Map([['k', []]]) }] }, []],
    ];
    for (const [tree, expected] of cases) {
      expect(readingsOf(tree, 10)).toEqual(expected);
      expect(countReadings(tree)).toBe(expected.length);
    }
    expect(readingsOf({ kind: 'array', items: [value(1)] }, 0)).toEqual([]);
  });
});
