/**
 * Which existing findings to archive (pure): this product's ACTIVE findings that the scan did not produce
 * again -- the resource is gone or left the scope -- but only for controls whose collection in this unit
 * finished without any error. A partial or failed collection never archives anything.
 */
import type { AsffFinding } from '../findings/index.js';
import { archiveFinding } from '../findings/index.js';
import type { ControlId } from '../model/result.js';

export function findingsToArchive(
  existing: ReadonlyMap<string, AsffFinding>,
  produced: ReadonlySet<string>,
  completeControls: ReadonlySet<ControlId>,
  productName: string,
  now: string,
): AsffFinding[] {
  const archived: AsffFinding[] = [];
  for (const [id, finding] of existing) {
    if (produced.has(id)) continue;
    // Another product's finding (or another generator's) is never archived.
    if (!finding.GeneratorId.startsWith(`${productName}/`)) continue;
    const controlId = finding.GeneratorId.slice(productName.length + 1) as ControlId;
    if (!completeControls.has(controlId)) continue;
    archived.push(archiveFinding(finding, now));
  }
  return archived;
}
