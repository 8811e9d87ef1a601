/**
 * Duplicate members in JSON text, which JSON.parse resolves silently (the last one wins) while another
 * reader may keep the first. A small iterative tokenizer finds them; the "readings" of a document are
 * the values it has when each duplicated member takes each of its values in turn.
 *
 * The input is text that JSON.parse has already accepted, so the tokenizer can trust its syntax.
 */

/** A member name that occurs more than once in one object, e.g. `Statement[0].Resource` (2 values). */
export interface DuplicateMember {
  path: string;
  count: number;
}

type Frame = {
  kind: 'object' | 'array';
  start: number;
  /** How the parent names this container: a member name or an index. */
  label: string | number | undefined;
  keys: Map<string, number>;
  index: number;
  /** The name of the member whose value comes next (objects). */
  pendingKey: string | undefined;
  /** This container or one inside it has a duplicated member. */
  hasDuplicate: boolean;
};

export interface DuplicateScan {
  duplicates: DuplicateMember[];
  /** Start offsets of the containers that hold a duplicated member, themselves or deeper. */
  ambiguous: Set<number>;
  /** End offset (of the closing bracket) of every container, by its start offset. */
  ends: Map<number, number>;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const DELIMITERS = new Set([',', '}', ']', ' ', '\t', '\n', '\r', ':']);

/** The offset just past the string that starts at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function pathOf(stack: readonly Frame[], key: string): string {
  let path = '';
  for (const frame of stack.slice(1)) {
    path += typeof frame.label === 'number' ? `[${frame.label}]` : `${path === '' ? '' : '.'}${frame.label}`;
  }
  return `${path}${path === '' ? '' : '.'}${key}`;
}

/** Finds the duplicated members of a JSON text (one pass, no recursion: nesting depth costs nothing). */
export function scanDuplicates(text: string): DuplicateScan {
  const duplicates = new Map<string, DuplicateMember>();
  const ambiguous = new Set<number>();
  const ends = new Map<number, number>();
  const stack: Frame[] = [];
  const labelForChild = (): string | number | undefined => {
    const parent = stack[stack.length - 1];
    if (parent === undefined) return undefined;
    return parent.kind === 'array' ? parent.index : parent.pendingKey;
  };
  // Only brackets, commas and strings carry structure: whitespace, ':' and the characters of numbers,
  // true, false and null are passed over one by one.
  // Stryker disable next-line EqualityOperator: `<=` adds a pass on undefined, no branch takes it
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push({
        kind: c === '{' ? 'object' : 'array',
        start: i,
        label: labelForChild(),
        keys: new Map(),
        index: 0,
        pendingKey: undefined,
        hasDuplicate: false,
      });
    } else if (c === '}' || c === ']') {
      const frame = stack.pop()!;
      ends.set(frame.start, i);
      if (frame.hasDuplicate) {
        ambiguous.add(frame.start);
        const parent = stack[stack.length - 1];
        if (parent !== undefined) parent.hasDuplicate = true;
      }
    } else if (c === ',') {
      const frame = stack[stack.length - 1]!;
      if (frame.kind === 'array') frame.index++;
      else frame.pendingKey = undefined;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const frame = stack[stack.length - 1];
      if (frame?.kind === 'object' && frame.pendingKey === undefined) {
        const raw = text.slice(i + 1, end - 1);
        // Escapes name the same member as their characters: "Resourc\u0065" is "Resource".
        // Stryker disable next-line StringLiteral: JSON.parse of a name without escapes is the name
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
        const seen = (frame.keys.get(key) ?? 0) + 1;
        frame.keys.set(key, seen);
        if (seen > 1) {
          frame.hasDuplicate = true;
          const path = pathOf(stack, key);
          duplicates.set(path, { path, count: seen });
        }
        frame.pendingKey = key;
      }
      i = end - 1;
    }
  }
  return { duplicates: [...duplicates.values()], ambiguous, ends };
}

/** A JSON value whose ambiguous objects keep every value of each member, in order. */
export type ChoiceNode =
  | { kind: 'value'; value: unknown }
  | { kind: 'array'; items: ChoiceNode[] }
  | { kind: 'object'; members: Map<string, ChoiceNode[]> };

/**
 * Builds the choice tree of a document; only containers that hold a duplicate are taken apart, the rest
 * is parsed as it is. Recursion goes only as deep as the ambiguous containers nest.
 */
export function choiceTree(text: string, scan: DuplicateScan): ChoiceNode {
  let i = 0;
  const skipSpace = () => {
    while (WHITESPACE.has(text[i]!) || text[i] === ':' || text[i] === ',') i++;
  };
  const node = (): ChoiceNode => {
    skipSpace();
    const start = i;
    const c = text[i]!;
    if (scan.ambiguous.has(start)) {
      i++;
      if (c === '[') {
        const items: ChoiceNode[] = [];
        for (skipSpace(); text[i] !== ']'; skipSpace()) items.push(node());
        i++;
        return { kind: 'array', items };
      }
      const members = new Map<string, ChoiceNode[]>();
      for (skipSpace(); text[i] !== '}'; skipSpace()) {
        const end = stringEnd(text, i);
        const key = JSON.parse(text.slice(i, end)) as string;
        i = end;
        const value = node();
        const values = members.get(key);
        if (values === undefined) members.set(key, [value]);
        else values.push(value);
      }
      i++;
      return { kind: 'object', members };
    }
    let end: number;
    if (c === '{' || c === '[') end = scan.ends.get(start)! + 1;
    else if (c === '"') end = stringEnd(text, start);
    else {
      end = start;
      // Stryker disable next-line EqualityOperator: `<=` ends one past the text; slice() clamps
      while (end < text.length && !DELIMITERS.has(text[end]!)) end++;
    }
    i = end;
    return { kind: 'value', value: JSON.parse(text.slice(start, end)) as unknown };
  };
  return node();
}

/** How many readings the tree has (may be Infinity for a hostile document). */
export function countReadings(node: ChoiceNode): number {
  switch (node.kind) {
    case 'value':
      return 1;
    case 'array':
      return node.items.reduce((product, item) => product * countReadings(item), 1);
    case 'object': {
      let product = 1;
      for (const values of node.members.values())
        product *= values.reduce((sum, value) => sum + countReadings(value), 0);
      return product;
    }
  }
}

/**
 * Up to `limit` of the combinations that take one option from each list (the last list varying fastest).
 * Lists with a single option are shared by all, so the cost is `limit` x lists, not quadratic.
 */
function combinations<T>(options: readonly (readonly T[])[], limit: number): T[][] {
  const counter = new Array<number>(options.length).fill(0);
  const out: T[][] = [];
  if (options.some((list) => list.length === 0)) return out;
  while (out.length < limit) {
    out.push(options.map((list, index) => list[counter[index]!]!));
    // Next combination: increment the counter from the last list; a list with one option carries at once.
    let index = options.length - 1;
    for (; index >= 0; index--) {
      counter[index]!++;
      if (counter[index]! < options[index]!.length) break;
      counter[index] = 0;
    }
    if (index < 0) break;
  }
  return out;
}

/** Up to `limit` readings of the tree, each a plain JSON value. */
export function readingsOf(node: ChoiceNode, limit: number): unknown[] {
  switch (node.kind) {
    case 'value':
      return [node.value];
    case 'array':
      return combinations(
        node.items.map((item) => readingsOf(item, limit)),
        limit,
      );
    case 'object': {
      const keys = [...node.members.keys()];
      const options = [...node.members.values()].map((values) =>
        // Stryker disable next-line MethodExpression: no option past `limit` is used (memory)
        values.flatMap((value) => readingsOf(value, limit)).slice(0, limit),
      );
      return combinations(options, limit).map((choice) => {
        const reading: Record<string, unknown> = {};
        // defineProperty keeps "__proto__" an own member, as JSON.parse does.
        for (const [i, key] of keys.entries())
          Object.defineProperty(reading, key, {
            value: choice[i],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return reading;
      });
    }
  }
}
