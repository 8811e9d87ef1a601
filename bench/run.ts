/** Benchmark entry: `npm run bench -- <name>`. Benchmarks measure; they are not tests. */
import '../src/cli/quiet-sdk-warning.js';
import { runDistributedBench } from './distributed.js';
import { runPolicyAdversarialBench } from './policy-adversarial.js';
import { runPolicyBench } from './policy.js';
import { runScanBench } from './scan.js';

const benches: Record<string, () => void | Promise<void>> = {
  policy: runPolicyBench,
  'policy-adversarial': runPolicyAdversarialBench,
  scan: runScanBench,
  distributed: runDistributedBench,
};

const name = process.argv[2];
const bench = name === undefined ? undefined : benches[name];
if (bench === undefined) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await bench();
