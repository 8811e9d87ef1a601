/** Integration harness: the real AWS SDK clients against the simulator over HTTP. */
import { executeScan } from '../../src/compose.js';
import { parseConfig } from '../../src/config/index.js';
import type { ScanResult } from '../../src/scan/runner.js';

import type { RunningSimulator, SimulatorOptions } from '../../src/simulator/index.js';
import { DEFAULT_EXTERNAL_ID, regionsOutside, startSimulator } from '../../src/simulator/index.js';
import type { ScanScope } from '../../src/model/scope.js';

/** The simulator of the running test file: scans are limited to the regions that hold its data. */
let current: RunningSimulator | undefined;

/** Scans of `simulator` (started by another harness) use `simulatedRegions()` too. */
export function trackSimulator(simulator: RunningSimulator): void {
  current = simulator;
}

/**
 * DescribeRegions lists every enabled region of the partition, as AWS does; tests scan the regions the
 * simulated organization holds data in, excluding the others as an operator would (DescribeRegions is
 * still called). A test that wants every region sets `regions` itself.
 */
export function simulatedRegions(): { regions?: Record<string, unknown> } {
  return current ? { regions: { mode: 'enabled', exclude: regionsOutside(current.state.regions) } } : {};
}

export async function startAws(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = await startSimulator(options);
  current = simulator;
  // Each test file runs in its own process: pointing this process's SDK at the simulator is safe.
  process.env['AWS_ENDPOINT_URL'] = simulator.endpoint;
  process.env['AWS_ACCESS_KEY_ID'] = simulator.hubCredentials.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = simulator.hubCredentials.secretAccessKey;
  process.env['AWS_REGION'] = 'us-east-1';
  delete process.env['AWS_SESSION_TOKEN'];
  delete process.env['AWS_PROFILE'];
  return simulator;
}

let counter = 0;

export async function scan(config: Record<string, unknown> = {}, scope: ScanScope = {}): Promise<ScanResult> {
  const loaded = parseConfig(
    {
      memberRole: { externalId: DEFAULT_EXTERNAL_ID },
      aws: { maxAttempts: 3, retryMode: 'standard', requestTimeoutMs: 5000 },
      ...simulatedRegions(),
      ...config,
    },
    'test',
  );
  counter++;
  return executeScan(loaded, { scanId: `test-scan-${counter}`, scope });
}

export interface Stored {
  Id: string;
  GeneratorId: string;
  RecordState?: string;
  CreatedAt: string;
  UpdatedAt: string;
  Workflow?: { Status?: string };
  Compliance?: { Status?: string; SecurityControlId?: string };
  Resources: { Id: string }[];
}

/** Every finding stored in the simulator's Security Hubs, with where it is. */
export function storedFindings(
  simulator: RunningSimulator,
): { accountId: string; region: string; finding: Stored }[] {
  const out: { accountId: string; region: string; finding: Stored }[] = [];
  for (const account of simulator.state.accounts.values()) {
    for (const [region, hub] of account.hubs) {
      for (const finding of hub.findings.values())
        out.push({ accountId: account.id, region, finding: finding as unknown as Stored });
    }
  }
  return out;
}
