import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/** Runs a script in a fresh Node process (so the SDK's once-per-process state is fresh); returns stderr. */
function stderrOf(script: string, withShim: boolean): Promise<string> {
  const imports = withShim ? ['--import', './src/cli/quiet-sdk-warning.ts'] : [];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ...imports, '--input-type=module', '-e', script],
      { cwd: root, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '' } },
      (error, _stdout, stderr) => (error ? reject(error) : resolve(stderr)),
    );
  });
}

// The SDK's own function, told it runs on Node 20: exactly what an SDK client does at start-up there.
const sdkNotice = `
import { emitWarningIfUnsupportedVersion } from '@aws-sdk/core/client';
emitWarningIfUnsupportedVersion('v20.20.0');
`;

describe('quiet-sdk-warning', () => {
  it('the SDK really emits the notice without the shim (so the next test can fail)', async () => {
    expect(await stderrOf(sdkNotice, false)).toMatch(/NodeVersionSupportWarning/);
  });

  it('drops the SDK notice', async () => {
    expect(await stderrOf(sdkNotice, true)).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('passes other warnings on', async () => {
    const other = await stderrOf(`process.emitWarning('something else', 'OtherWarning');`, true);
    expect(other).toMatch(/OtherWarning: something else/);
  });
});
