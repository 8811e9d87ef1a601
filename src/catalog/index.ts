export type { Catalog } from './load.js';
export { CatalogError, describeSchemaError, loadCatalog, loadKmsActions, parseCatalog } from './load.js';
export type { CatalogControl, ControlParameter } from './schema.js';
export { FINDING_TYPE_NAMESPACES, REGION_PATTERN, SEVERITY_LABELS } from './schema.js';
export { isKnownRegion, KNOWN_REGIONS, KNOWN_REGIONS_BY_PARTITION, partitionOfRegion } from './regions.js';
