/**
 * Parses a JSON or YAML text (JSON is read by the same YAML 1.2 parser) into plain values, remembering
 * where each object and array starts so reports can point at a line and column. CloudFormation's
 * short-form tags (`!Ref`, `!Sub`, `!GetAtt`, `!Join`, ...) become the long form (`{ "Fn::Sub": ... }`,
 * `{ "Ref": ... }`) instead of being rejected. Pure: text in, values out.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

export type ParsedSource =
  | { ok: true; value: unknown; positionOf: (value: unknown) => Position | undefined }
  | { ok: false; message: string; position: Position };

/** `!GetAtt a.b` is the short form of `Fn::GetAtt: [a, b]`; the others map one to one. */
function longForm(tag: string, value: unknown): unknown {
  const name = tag.slice(1);
  if (name === 'Ref') return { Ref: value };
  if (name === 'Condition') return { Condition: value };
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

/** JSON.parse's verdict on text that looks like JSON: its messages are clearer than a YAML parser's. */
function jsonError(
  text: string,
  lines: LineCounter,
  yamlOffset: number | undefined,
): ParsedSource | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the offset in some messages only; the YAML parser's place is the next best.
    const offset = /at position (\d+)/.exec(message)?.[1];
    const pos = lines.linePos(offset !== undefined ? Number(offset) : (yamlOffset ?? text.length));
    const reason = message
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, (\.\.\.)?".*" is not valid JSON$/s, '')
      .split('\n')[0];
    return { ok: false, message: `invalid JSON: ${reason}`, position: { line: pos.line, column: pos.col } };
  }
}

export function parseSource(text: string): ParsedSource {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const looksLikeJson = /^\s*[[{]/.test(text);
  if (looksLikeJson) {
    const invalid = jsonError(text, lines, document.errors[0]?.pos[0]);
    if (invalid) return invalid;
    // Valid JSON the YAML parser refuses (a duplicate key): the values without positions.
    if (document.errors.length > 0) return { ok: true, value: JSON.parse(text), positionOf: () => undefined };
  }
  const error = document.errors[0];
  if (error) {
    const pos = lines.linePos(error.pos[0]);
    return {
      ok: false,
      message: `invalid YAML: ${error.message.split('\n')[0]}`,
      position: { line: pos.line, column: pos.col },
    };
  }
  const positions = new WeakMap<object, Position>();
  const at = (node: Node): Position | undefined => {
    const offset = node.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const remember = <T extends object>(value: T, node: Node): T => {
    const pos = at(node);
    if (pos) positions.set(value, pos);
    return value;
  };
  const seen = new Set<Node>();
  const convert = (node: unknown): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(document);
      // A YAML alias may point at its own ancestor; policies never need that.
      if (target === undefined || seen.has(target)) return null;
      return convert(target);
    }
    const yamlNode = node as Node;
    seen.add(yamlNode);
    let value: unknown;
    if (isMap(node)) {
      const object: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(convert(pair.key));
        object[key] = convert(pair.value);
      }
      value = remember(object, yamlNode);
    } else if (isSeq(node)) {
      value = remember(
        node.items.map((item) => convert(item)),
        yamlNode,
      );
    } else if (isScalar(node)) {
      value = node.value;
    } else {
      value = null;
    }
    seen.delete(yamlNode);
    const tag = yamlNode.tag;
    if (tag?.startsWith('!') && !tag.startsWith('!!')) {
      const long = longForm(tag, value) as object;
      // The node starts after its tag; a report points at the tag, where the expression starts.
      const start = yamlNode.range?.[0];
      const tagAt = start === undefined ? -1 : text.lastIndexOf(tag, start);
      const pos = tagAt >= 0 && start! - tagAt < 1000 ? lines.linePos(tagAt) : undefined;
      if (pos) positions.set(long, { line: pos.line, column: pos.col });
      else remember(long, yamlNode);
      return long;
    }
    return value;
  };
  const value = convert(document.contents);
  return {
    ok: true,
    value,
    positionOf: (v) => (typeof v === 'object' && v !== null ? positions.get(v) : undefined),
  };
}
