// A StrykerJS ignorer (https://stryker-mutator.io/docs/stryker-js/disable-mutants/#using-an-ignore-plugin):
// leaves out string mutants of human-readable text -- error messages, reasons, explanations -- whose
// wording the tests deliberately do not pin. Strings that are semantics stay mutated: reason codes,
// statuses, error codes, ARN and action fragments, filter values (they have no spaces and are not the
// value of a text field).
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/** Object fields whose value is prose for a reader. */
const TEXT_FIELDS = new Set(['message', 'reason', 'description', 'detail', 'explanation', 'summary']);

function isText(node) {
  if (node.type === 'StringLiteral') return /\s/.test(node.value.trim());
  if (node.type === 'TemplateLiteral')
    return node.quasis.some((q) => /\S\s+\S|^\s|\s$/.test(q.value.cooked ?? ''));
  return false;
}

function textFieldValue(path) {
  const parent = path.parentPath;
  if (parent?.node.type !== 'ObjectProperty' || parent.node.value !== path.node) return false;
  const key = parent.node.key;
  const name = key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined;
  return name !== undefined && TEXT_FIELDS.has(name);
}

function errorArgument(path) {
  const parent = path.parentPath;
  if (parent?.node.type === 'NewExpression') {
    const callee = parent.node.callee;
    return callee.type === 'Identifier' && /Error$/.test(callee.name);
  }
  // super(message) in an Error subclass
  return parent?.node.type === 'CallExpression' && parent.node.callee.type === 'Super';
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'message-text', {
    shouldIgnore(path) {
      const node = path.node;
      if (node.type !== 'StringLiteral' && node.type !== 'TemplateLiteral') return undefined;
      if (textFieldValue(path) || errorArgument(path) || isText(node))
        return 'Human-readable text (message, reason, explanation): tests do not pin its wording.';
      return undefined;
    },
  }),
];
