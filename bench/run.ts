/** Benchmark entry: `npm run bench -- <name>`. Benchmarks measure; they are not tests. */
import '../src/cli/quiet-sdk-warning.js';

// Each benchmark's module is loaded only when it runs (the distributed one loads BullMQ and Redis).
const benches: Record<string, () => Promise<() => void | Promise<void>>> = {
  policy: async () => (await import('./policy.js')).runPolicyBench,
  'policy-adversarial': async () => (await import('./policy-adversarial.js')).runPolicyAdversarialBench,
  scan: async () => (await import('./scan.js')).runScanBench,
  distributed: async () => (await import('./distributed.js')).runDistributedBench,
  events: async () => (await import('./events.js')).runEventsBench,
  cli: async () => (await import('./cli.js')).runCliBench,
};

const name = process.argv[2];
const load = name === undefined ? undefined : benches[name];
if (load === undefined) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
const bench = await load();
await bench();
