/**
 * The contract every control module keeps with the catalog and the pipeline: the catalog's ids each have
 * a module, and what a module declares agrees with the catalog's data about the same control.
 */
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/index.js';
import { CONTROL_IDS } from '../../src/catalog/control-ids.js';
import { CONTROL_MODULES } from '../../src/controls/index.js';
import { COLLECTOR_NAMES } from '../../src/model/collection.js';

const catalog = loadCatalog();

describe.each(catalog.controls.map((control) => [control.id, control] as const))(
  'control module %s',
  (id, control) => {
    const module = CONTROL_MODULES[id];

    it('exists and carries its id', () => {
      expect(module).toBeDefined();
      expect(module.id).toBe(id);
    });

    it('needs at least one known collection and declares the AWS actions it calls', () => {
      expect(module.needs.length).toBeGreaterThan(0);
      for (const need of module.needs) expect(COLLECTOR_NAMES).toContain(need);
      expect(module.awsActions.length).toBeGreaterThan(0);
      for (const action of module.awsActions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
    });

    it("runs where the catalog's scope says", () => {
      expect(module.runsIn).toBe(control.scope === 'global' ? 'home-region' : 'every-region');
      // A global control reads global data: IAM, never a regional key inventory.
      if (module.runsIn === 'home-region') expect(module.needs).not.toContain('kms:keys');
    });

    it("accepts exactly the catalog's parameters", () => {
      expect([...module.parameters.names].sort()).toEqual(control.parameters.map((p) => p.name).sort());
    });
  },
);

describe('the catalog and the modules', () => {
  it('list the same controls', () => {
    expect(catalog.controls.map((c) => c.id).sort()).toEqual([...CONTROL_IDS].sort());
    expect(Object.keys(CONTROL_MODULES).sort()).toEqual([...CONTROL_IDS].sort());
  });
});
