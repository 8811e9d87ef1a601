import type { Command } from 'commander';
import { registerCheckPolicyCommand } from './check-policy.js';
import { registerDemoCommand } from './demo.js';
import { registerScanCommand } from './scan.js';
import { registerServeCommand } from './serve.js';
import { registerSimulateCommand } from './simulate.js';
import { registerWorkerCommand } from './worker.js';

/** Each command lives in its own module and adds itself to the program here (one line each). */
export function registerCommands(program: Command): void {
  registerScanCommand(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerCheckPolicyCommand(program);
  registerSimulateCommand(program);
  registerDemoCommand(program);
}
