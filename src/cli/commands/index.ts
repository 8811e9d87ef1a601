import type { Command } from 'commander';
import { registerCheckPolicyCommand } from './check-policy.js';

/** Each command lives in its own module and adds itself to the program here (one line each). */
export function registerCommands(program: Command): void {
  registerCheckPolicyCommand(program);
}
