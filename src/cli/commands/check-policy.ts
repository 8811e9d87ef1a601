/**
 * `keywarden check-policy [--control ID] [--format text|json|sarif] [--actions a,b] [--partition p] PATH...`:
 * evaluates IAM policies offline, as KMS.1/KMS.2 would (or key policies, with the key-policy control's
 * --control), so a pipeline can check them before deploying: policy
 * documents, CloudFormation templates and Terraform plans, from files, directories and standard input.
 * One exit code for the run: 2 if any input is invalid or a verdict is undecided (NOT_AVAILABLE, UNKNOWN),
 * else 1 if any policy FAILED, else 0.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { loadCatalog, loadKmsActions } from '../../catalog/index.js';
import type { InputResult } from '../../check/check.js';
import { checkText, exitCodeOf } from '../../check/check.js';
import { formatSarif } from '../../check/sarif.js';
import { formatJson, formatText } from '../../check/text.js';
import type { ControlId } from '../../catalog/control-ids.js';
import { controlForDocuments, controlModule, offlineControls } from '../../controls/registry.js';
import { expandActionPatterns, splitActionPatterns } from '../../policy/index.js';
import { readInputs } from '../inputs.js';
import { VERSION } from '../version.js';

/** A parameter's default in the catalog, as a list of strings. */
function catalogList(control: ControlId, name: string): string[] {
  const parameter = loadCatalog()
    .get(control)
    .parameters.find((p) => p.name === name);
  return splitActionPatterns((parameter?.default as string[] | string | undefined) ?? []);
}

function defaultPatterns(): string[] {
  const parameter = loadCatalog()
    .get(controlForDocuments('identity-policy:managed'))
    .parameters.find((p) => p.name === 'blockedActionsPatterns');
  return splitActionPatterns((parameter?.default as string[] | string | undefined) ?? []);
}

interface CheckPolicyOptions {
  control?: string;
  format: 'text' | 'json' | 'sarif';
  json?: boolean;
  actions?: string;
  partition: string;
}

export function registerCheckPolicyCommand(program: Command): void {
  program
    .command('check-policy')
    .description(
      'evaluate IAM policies offline against KMS.1/KMS.2: policy documents, CloudFormation templates ' +
        '(JSON/YAML) and Terraform plans (terraform show -json) (exit 0 all PASSED, 1 some FAILED, ' +
        '2 invalid input or a verdict that depends on values known only at deploy time)',
    )
    .argument(
      '<paths...>',
      'files, directories (searched for *.json, *.yaml, *.yml, *.template), or - for standard input',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'),
    )
    .option('--json', 'the same as --format json')
    .option(
      '--actions <patterns>',
      'blocked action patterns, comma-separated (default: the catalog’s KMS.1 default)',
    )
    .option('--partition <partition>', 'partition whose key space is checked', 'aws')
    .addOption(
      new Option(
        '--control <id>',
        'decide as this control would (key policies for the key-policy control; default: IAM policies as KMS.1/KMS.2)',
      ).choices(offlineControls()),
    )
    .action(async (paths: string[], options: CheckPolicyOptions) => {
      const format = options.json ? 'json' : options.format;
      const control = options.control as ControlId | undefined;
      const keyPolicyMode = control !== undefined && controlModule(control).checksDocuments === 'key-policy';
      const patterns =
        options.actions !== undefined ? splitActionPatterns(options.actions) : defaultPatterns();
      const expanded = expandActionPatterns(patterns, loadKmsActions());
      if (expanded.unmatched.length > 0 || expanded.actions.length === 0) {
        process.stderr.write(
          `keywarden check-policy: no known KMS action matches ${expanded.unmatched.join(', ') || 'the given patterns'}\n`,
        );
        process.exitCode = 2;
        return;
      }
      const check = {
        blockedActions: expanded.actions,
        partition: options.partition,
        ...(control !== undefined && !keyPolicyMode ? { bareAs: control } : {}),
        ...(keyPolicyMode
          ? {
              keyPolicies: {
                control,
                kmsActions: loadKmsActions(),
                restrictingKeys: catalogList(control, 'restrictingConditionKeys'),
              },
            }
          : {}),
      };
      const inputs: InputResult[] = [];
      const skipped: string[] = [];
      for (const input of await readInputs(paths, process.stdin)) {
        if (input.text === undefined) {
          inputs.push({
            file: input.file,
            kind: 'other',
            results: [],
            errors: [{ file: input.file, message: input.error! }],
          });
          continue;
        }
        const checked = checkText(input.file, input.text, check);
        // With --control, only the policies that control decides (a template holds both kinds).
        const result =
          control === undefined
            ? checked
            : { ...checked, results: checked.results.filter((r) => r.control === control) };
        // A directory holds other JSON and YAML too (package.json, CI files): only named files must be policies.
        if (input.fromDirectory && result.kind === 'other' && result.errors.length === 0)
          skipped.push(input.file);
        else inputs.push(result);
      }
      if (inputs.length === 0) {
        // A pipeline pointed at the wrong directory must not pass silently.
        process.stderr.write(
          `keywarden check-policy: no policy document, CloudFormation template or Terraform plan in ${paths.join(', ')}\n`,
        );
        process.exitCode = 2;
        return;
      }
      if (format === 'sarif') {
        const catalog = loadCatalog();
        const rules = offlineControls().map((id) => {
          const control = catalog.get(id);
          return {
            id,
            title: control.title,
            description: control.description,
            helpUri: control.remediation.url,
            severity: control.severity,
          };
        });
        process.stdout.write(formatSarif(inputs, rules, { version: VERSION, cwd: process.cwd() }));
      } else if (format === 'json') {
        process.stdout.write(formatJson(inputs, expanded.actions, skipped));
      } else {
        process.stdout.write(formatText(inputs, skipped, keyPolicyMode ? 'key policy' : 'IAM policy'));
      }
      process.exitCode = exitCodeOf(inputs);
    });
}
