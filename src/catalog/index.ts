export type { Catalog } from './load.js';
export { CatalogError, describeSchemaError, loadCatalog, loadKmsActions, parseCatalog } from './load.js';
export type { CatalogControl, ControlParameter } from './schema.js';
export { isKnownRegion, KNOWN_REGIONS, partitionOfRegion } from './regions.js';
