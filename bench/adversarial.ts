/**
 * A seeded corpus of hostile policy documents whose answer is known by construction: covering unions of
 * resource patterns split by the first or last character of a key-space segment (region, account, key
 * id), sometimes two levels deep, sometimes with one cell dropped (then a concrete key is known not to be
 * granted); padded with `?`/`*`-heavy noise patterns that can never match the short keys the answer is
 * stated with; with conditional Denys (which subtract nothing), unconditional Denys of one key (which make
 * the answer PARTIAL) or of everything (NONE). Every document stays within IAM's size limits (whitespace
 * not counted): 6,144 characters for a managed policy, 10,240 for a role's inline policies.
 */
import { seededRandom } from '../src/simulator/random.js';

export const ADVERSARIAL_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'] as const;
export type AdversarialAction = (typeof ADVERSARIAL_ACTIONS)[number];

export interface ExpectedCoverage {
  coverage: 'ALL' | 'PARTIAL' | 'NONE';
  /** A key known not to be granted (PARTIAL, NONE). */
  keyNotGranted?: string;
  /** A key known to be granted (ALL, PARTIAL). */
  keyGranted?: string;
}

export interface AdversarialCase {
  id: string;
  document: { Version: string; Statement: Record<string, unknown>[] };
  /** IAM's limit the document was built for. */
  limit: number;
  expected: Record<AdversarialAction, ExpectedCoverage>;
}

export const MANAGED_POLICY_LIMIT = 6_144;
export const ROLE_INLINE_LIMIT = 10_240;

const KEY_ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-';
const REGION_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-';
const DIGITS = '0123456789';

/** One segment constraint of a pattern `arn:aws:kms:<region>:<account>:key/<key id>`. */
type Segment = 'region' | 'account' | 'key';
type Split = { segment: Segment; end: 'first' | 'last' };

const ALPHABET: Record<Segment, string> = { region: REGION_CHARS, account: DIGITS, key: KEY_ID_CHARS };

/** The segment glob for "first/last character is c", and a short value of the segment with that property. */
function constraint(split: Split, c: string, random: () => number): { glob: string; value: string } {
  if (split.segment === 'account') {
    // Accounts are 12 digits: a fixed-position digit among `?`s, or a first/last digit with a star.
    const fixed = random() < 0.5;
    const value = split.end === 'first' ? `${c}11122223333` : `11112222333${c}`;
    const glob = fixed
      ? split.end === 'first'
        ? `${c}???????????`
        : `???????????${c}`
      : split.end === 'first'
        ? `${c}*`
        : `*${c}`;
    return { glob, value };
  }
  const filler = split.segment === 'region' ? 'u' : 'k';
  return split.end === 'first' ? { glob: `${c}*`, value: c } : { glob: `*${c}`, value: `${filler}${c}` };
}

interface Cell {
  region: string;
  account: string;
  key: string;
}

const ANY_CELL: Cell = { region: '*', account: '*', key: '*' };
const SHORT_KEY: Cell = { region: 'us', account: '111122223333', key: 'k' };

function arn(cell: Cell): string {
  return `arn:aws:kms:${cell.region}:${cell.account}:key/${cell.key}`;
}

/**
 * A union covering every key whose segments satisfy `base`, split by `split`; with `drop`, the cell of
 * one character is left out and a key in it (short, so that no noise pattern can match it) is returned.
 */
function coveringUnion(
  base: Cell,
  short: Cell,
  split: Split,
  random: () => number,
  drop: boolean,
): { patterns: string[]; uncovered?: Cell; covered: Cell; droppedGlob?: Cell } {
  const chars = ALPHABET[split.segment];
  const dropped = drop ? chars[Math.floor(random() * chars.length)]! : undefined;
  const patterns: string[] = [];
  let covered: Cell | undefined;
  let uncovered: Cell | undefined;
  let droppedGlob: Cell | undefined;
  for (const c of chars) {
    const { glob, value } = constraint(split, c, random);
    const cell = { ...base, [split.segment]: glob };
    const key = { ...short, [split.segment]: value };
    if (c === dropped) {
      uncovered = key;
      droppedGlob = cell;
      continue;
    }
    covered ??= key;
    patterns.push(arn(cell));
  }
  return {
    patterns,
    covered: covered!,
    ...(uncovered ? { uncovered } : {}),
    ...(droppedGlob ? { droppedGlob } : {}),
  };
}

/**
 * Noise: patterns full of `?` and `*` that only match regions of 11+ characters, key ids of 14+
 * characters, or regions holding a subsequence of 4 letters; never the short keys the answers use.
 */
function noisePattern(random: () => number): string {
  const pick = (text: string): string => text[Math.floor(random() * text.length)]!;
  const run = (n: number): string => '?'.repeat(n);
  switch (Math.floor(random() * 6)) {
    case 0:
      return `arn:aws:kms:*${pick(REGION_CHARS)}${run(10 + Math.floor(random() * 10))}:*:key/*`;
    case 1:
      return `arn:aws:kms:*:*:key/*${pick(KEY_ID_CHARS)}${run(13 + Math.floor(random() * 8))}`;
    case 2:
      return `arn:aws:kms:*${pick(REGION_CHARS)}*${pick(REGION_CHARS)}*${pick(REGION_CHARS)}*${pick(REGION_CHARS)}*:*:key/*`;
    case 3:
      return `arn:aws:kms:${run(5)}*${run(6)}:*:key/${pick(KEY_ID_CHARS)}*`;
    case 4:
      return `arn:aws:kms:*:${run(12)}:key/*${pick(KEY_ID_CHARS)}*${run(12)}${pick(KEY_ID_CHARS)}*`;
    default:
      return `arn:aws:kms:*${pick(REGION_CHARS)}?${pick(REGION_CHARS)}????????*:*:key/*`;
  }
}

/** Characters IAM counts: whitespace is not counted. */
export function iamLength(document: unknown): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

const ALLOW_ACTIONS = [['kms:*'], ['kms:Decrypt', 'kms:ReEncryptFrom'], ['kms:De*', 'kms:ReEncrypt*'], ['*']];
const SPLITS: Split[] = [
  { segment: 'key', end: 'first' },
  { segment: 'key', end: 'last' },
  { segment: 'region', end: 'first' },
  { segment: 'region', end: 'last' },
  { segment: 'account', end: 'first' },
  { segment: 'account', end: 'last' },
];

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function generateAdversarialCase(random: () => number, index: number): AdversarialCase {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const limit = random() < 0.8 ? MANAGED_POLICY_LIMIT : ROLE_INLINE_LIMIT;
  const outer = pick(SPLITS);
  const nested = random() < 0.4;
  const dropOuter = random() < 0.5;
  // Two levels: the outer union leaves one cell out, which an inner union over another segment covers
  // again (or covers all but one of its own cells).
  const first = coveringUnion(ANY_CELL, SHORT_KEY, outer, random, dropOuter || nested);
  let patterns = first.patterns;
  let uncovered = first.uncovered;
  const covered = first.covered;
  if (nested && first.droppedGlob !== undefined && first.uncovered !== undefined) {
    const inner = pick(SPLITS.filter((s) => s.segment !== outer.segment));
    const second = coveringUnion(first.droppedGlob, first.uncovered, inner, random, dropOuter);
    patterns = [...patterns, ...second.patterns];
    uncovered = second.uncovered;
  }

  const allowStatements: Record<string, unknown>[] = [];
  const parts = 1 + Math.floor(random() * 4);
  const shuffled = shuffle([...patterns], random);
  for (let p = 0; p < parts; p++) {
    const slice = shuffled.filter((_, i) => i % parts === p);
    if (slice.length === 0) continue;
    allowStatements.push({ Sid: `Part${p}`, Effect: 'Allow', Action: pick(ALLOW_ACTIONS), Resource: slice });
  }

  const expected: Record<AdversarialAction, ExpectedCoverage> = {
    'kms:Decrypt': uncovered
      ? { coverage: 'PARTIAL', keyNotGranted: arn(uncovered), keyGranted: arn(covered) }
      : { coverage: 'ALL', keyGranted: arn(covered) },
    'kms:ReEncryptFrom': uncovered
      ? { coverage: 'PARTIAL', keyNotGranted: arn(uncovered), keyGranted: arn(covered) }
      : { coverage: 'ALL', keyGranted: arn(covered) },
  };

  const denyStatements: Record<string, unknown>[] = [];
  // Distractors that change nothing: conditional Denys, and Denys of resources that are not KMS keys.
  if (random() < 0.6) {
    denyStatements.push({
      Sid: 'DenyWithoutTls',
      Effect: 'Deny',
      Action: 'kms:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  }
  if (random() < 0.3) {
    denyStatements.push({
      Sid: 'DenyBucket',
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Resource: 'arn:aws:s3:::*',
    });
  }
  // Denys that do change the answer, for one action or both.
  const denyRoll = random();
  const denied: AdversarialAction[] = random() < 0.5 ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:ReEncryptFrom'];
  if (denyRoll < 0.25) {
    // One concrete key, inside the covered cell: the grant is no longer ALL.
    const key = arn(covered).replace(/:key\/(.*)$/, ':key/$1-denied');
    denyStatements.push({ Sid: 'DenyOneKey', Effect: 'Deny', Action: denied, Resource: key });
    for (const action of denied) {
      const current = expected[action];
      expected[action] = {
        coverage: 'PARTIAL',
        keyNotGranted: current.keyNotGranted ?? key,
        keyGranted: current.keyGranted!,
      };
    }
  } else if (denyRoll < 0.32) {
    denyStatements.push({ Sid: 'DenyAll', Effect: 'Deny', Action: denied, Resource: 'arn:aws:kms:*' });
    for (const action of denied) expected[action] = { coverage: 'NONE', keyNotGranted: arn(covered) };
  }

  const statements = [...allowStatements, ...denyStatements];
  const document = { Version: '2012-10-17', Statement: statements };
  // Pad with noise up to a random fill of the limit, in the Allow statements and a statement of its own.
  const target = limit * (0.5 + random() * 0.5) - 40;
  const noise: string[] = [];
  const noiseStatement = { Sid: 'Noise', Effect: 'Allow', Action: pick(ALLOW_ACTIONS), Resource: noise };
  // Counted as it grows (a quoted string and a comma per pattern), then checked exactly below.
  let length = iamLength(document);
  for (;;) {
    const extra = noisePattern(random);
    const intoOwn = random() < 0.5 || allowStatements.length === 0;
    const cost = extra.length + 3 + (noise.length === 0 && intoOwn ? 80 : 0);
    if (length + cost > target) break;
    if (intoOwn) noise.push(extra);
    else (pick(allowStatements)['Resource'] as string[]).push(extra);
    length += cost;
  }
  if (noise.length > 0) statements.splice(Math.floor(random() * statements.length), 0, noiseStatement);
  const size = iamLength(document);
  if (size > limit) throw new Error(`generated document of ${size} characters exceeds IAM's ${limit}`);
  return { id: `adversarial-${index}`, document, limit, expected };
}

export function generateAdversarialCorpus(seed: number, count: number): AdversarialCase[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => generateAdversarialCase(random, i));
}
