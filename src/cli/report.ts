/** Plain-text reports of a scan for people at a terminal. */
import { CONTROL_IDS } from '../catalog/control-ids.js';
import type { ScanSummary, StatusCounts, UnitOutcome } from '../model/scan.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

export function formatSummary(summary: ScanSummary, units: UnitOutcome[]): string {
  const lines: string[] = [];
  const seconds = ((summary.durationMs ?? 0) / 1000).toFixed(1);
  lines.push(
    `scan ${summary.scanId}: ${summary.state} in ${seconds}s${summary.dryRun ? ' (dry run: nothing imported)' : ''}`,
  );
  if (summary.error) lines.push(`  error: ${summary.error.code}: ${summary.error.message}`);
  const u = summary.units;
  lines.push(
    `units: ${u.planned} planned, ${u.done} done, ${u.partial} partial, ${u.failed} failed, ${u.cancelled} cancelled`,
  );
  const rows = [['control', 'PASSED', 'FAILED', 'WARNING', 'NOT_AVAILABLE']];
  for (const control of CONTROL_IDS) {
    const counts: StatusCounts | undefined = summary.findings[control];
    if (counts)
      rows.push([
        control,
        String(counts.PASSED),
        String(counts.FAILED),
        // Records written before WARNING existed have no count for it.
        String(counts.WARNING ?? 0),
        String(counts.NOT_AVAILABLE),
      ]);
  }
  if (rows.length > 1) lines.push('', table(rows));
  lines.push(
    '',
    `Security Hub: ${summary.imported} imported, ${summary.archived} archived, ${summary.importFailed} failed`,
  );
  const skipped = summary.skipped.filter((s) => s.units > 0);
  if (skipped.length > 0) {
    lines.push('', 'skipped (control not supported there):');
    for (const s of skipped) lines.push(`  ${s.controlId} in ${s.region}: ${s.units} units (${s.reason})`);
  }
  const calls = Object.entries(summary.apiCalls);
  if (calls.length > 0) {
    lines.push('', 'AWS API calls:');
    for (const [operation, count] of calls) {
      lines.push(
        `  ${operation.padEnd(40)} ${String(count.calls).padStart(7)}${count.throttled ? `  (${count.throttled} throttled)` : ''}`,
      );
    }
  }
  const problems = units.filter((unit) => unit.errors.length > 0);
  if (problems.length > 0) {
    lines.push('', 'units with errors:');
    for (const unit of problems) {
      for (const error of unit.errors) {
        lines.push(
          `  ${unit.unitId} [${unit.state}] ${error.stage}${error.controls.length ? ` ${error.controls.join(',')}` : ''}: ${error.code}: ${error.message.slice(0, 200)}`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Findings by control, account and status, and where they went. */
export function formatFindingsTable(units: UnitOutcome[]): string {
  const rows = [['control', 'account', 'region', 'PASSED', 'FAILED', 'WARNING', 'N/A', 'sent to']];
  const sorted = [...units].sort((a, b) => a.unitId.localeCompare(b.unitId));
  for (const control of CONTROL_IDS) {
    for (const unit of sorted) {
      const counts = unit.findings[control];
      if (!counts) continue;
      const where =
        unit.destination === 'security-hub'
          ? `Security Hub ${unit.accountId}/${unit.region}`
          : unit.destination === 'dry-run'
            ? 'dry-run output'
            : unit.destination === 'security-hub-not-enabled'
              ? 'nowhere: Security Hub not enabled'
              : 'nowhere';
      rows.push([
        control,
        unit.accountId,
        unit.region,
        String(counts.PASSED),
        String(counts.FAILED),
        String(counts.WARNING ?? 0),
        String(counts.NOT_AVAILABLE),
        where,
      ]);
    }
  }
  return `${table(rows)}\n`;
}
