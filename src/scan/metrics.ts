/** Prometheus metrics for /metrics: scans, units, findings, API calls and throttles, durations. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ScanMetrics } from './lifecycle.js';
import type { ScanSummary, UnitOutcome } from '../model/scan.js';

export class ServiceMetrics implements ScanMetrics {
  readonly registry = new Registry();
  private readonly scans = new Counter({
    name: 'keywarden_scans_total',
    help: 'Scans finished, by final state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly running = new Gauge({
    name: 'keywarden_scans_running',
    help: 'Scans running now',
    registers: [this.registry],
  });
  private readonly units = new Counter({
    name: 'keywarden_units_total',
    help: 'Units finished, by state',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly findings = new Counter({
    name: 'keywarden_findings_total',
    help: 'Findings produced, by control and compliance status',
    labelNames: ['control', 'status'],
    registers: [this.registry],
  });
  private readonly apiCalls = new Counter({
    name: 'keywarden_aws_api_calls_total',
    help: 'AWS API calls, by operation',
    labelNames: ['operation'],
    registers: [this.registry],
  });
  private readonly throttles = new Counter({
    name: 'keywarden_aws_api_throttles_total',
    help: 'AWS API calls throttled, by operation',
    labelNames: ['operation'],
    registers: [this.registry],
  });
  private readonly scanDuration = new Histogram({
    name: 'keywarden_scan_duration_seconds',
    help: 'Scan wall time',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly unitDuration = new Histogram({
    name: 'keywarden_unit_duration_seconds',
    help: 'Unit wall time',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  scanStarted(): void {
    this.running.inc();
  }

  unitFinished(outcome: UnitOutcome): void {
    this.units.inc({ state: outcome.state });
    this.unitDuration.observe(outcome.durationMs / 1000);
    for (const [control, counts] of Object.entries(outcome.findings)) {
      for (const [status, count] of Object.entries(counts))
        if (count > 0) this.findings.inc({ control, status }, count);
    }
  }

  /** A scan that ended without a summary (it failed before one could be made). */
  scanFailed(): void {
    this.running.dec();
    this.scans.inc({ state: 'failed' });
  }

  scanFinished(summary: ScanSummary): void {
    this.running.dec();
    this.scans.inc({ state: summary.state });
    if (summary.durationMs !== undefined) this.scanDuration.observe(summary.durationMs / 1000);
    for (const [operation, calls] of Object.entries(summary.apiCalls)) {
      this.apiCalls.inc({ operation }, calls.calls);
      if (calls.throttled > 0) this.throttles.inc({ operation }, calls.throttled);
    }
  }
}
