/**
 * The layers of src/, from the faces down to the ground floor, and the rule that keeps them: a module may
 * import its own folder and any layer below its own, never one above. `npm run lint` runs it
 * (`depcruise src`); test/structure/layers.test.ts proves it fails on an upward import.
 *
 * Each layer lists folders of src/ (or single files, for the composition roots). Folders of one layer may
 * import each other unless the layer is marked `isolated` (peers that must share through a lower layer).
 */
export const layers = [
  { name: 'cli', paths: ['src/cli/'] },
  // Composition roots: configuration, clients, executor, API and scheduler wired together.
  { name: 'roots', paths: ['src/compose.ts', 'src/serve.ts', 'src/worker.ts'] },
  { name: 'api', paths: ['src/api/'] },
  // The two executors: in-process and BullMQ. What they share lives in scan/.
  { name: 'executors', paths: ['src/service/', 'src/distributed/'], isolated: true },
  { name: 'scan', paths: ['src/scan/'] },
  // Read by the composition roots and the executors; built from the controls' parameter schemas.
  { name: 'config', paths: ['src/config/'] },
  // The pipeline's stages.
  {
    name: 'stages',
    paths: [
      'src/controls/',
      'src/collect/',
      'src/evaluate/',
      'src/findings/',
      'src/importer/',
      'src/check/',
      'src/events/',
    ],
  },
  // I/O adapters: AWS clients (with pagination and quotas) and the scan record stores.
  { name: 'io', paths: ['src/aws/', 'src/store/'], isolated: true },
  { name: 'catalog', paths: ['src/catalog/'] },
  // Ground floor: shared types, the pure policy engine, logging.
  { name: 'ground', paths: ['src/model/', 'src/policy/', 'src/log/'], isolated: true },
  // The catalog's identifiers (control ids, known regions): plain data that everything may name.
  { name: 'identifiers', paths: ['src/catalog/control-ids.ts', 'src/catalog/regions.ts'] },
];

/** The simulator is a separate tool: it may use the ground floor and the catalog; only the CLI starts it. */
const SIMULATOR = 'src/simulator/';
const SIMULATOR_MAY_IMPORT = ['src/model/', 'src/catalog/', 'src/policy/', 'src/log/'];

const escape = (path) => path.replace(/[.]/g, '\\.');
/** A path pattern that matches modules under any of `paths` (a folder ends with `/`, a file does not). */
const anyOf = (paths) => `^(${paths.map((p) => escape(p) + (p.endsWith('/') ? '' : '$')).join('|')})`;

const upward = layers.slice(1).map((layer, index) => ({
  name: `layer-${layer.name}-imports-upward`,
  comment: `${layer.name} is below ${layers
    .slice(0, index + 1)
    .map((l) => l.name)
    .join(', ')}: it must not import from them (move what both need down a layer)`,
  severity: 'error',
  from: { path: anyOf(layer.paths) },
  // A file of a lower layer inside an upper layer's folder (the catalog's identifiers) stays below.
  to: {
    path: anyOf(layers.slice(0, index + 1).flatMap((l) => l.paths)),
    pathNot: anyOf(layers.slice(index + 1).flatMap((l) => l.paths)),
  },
}));

const peers = layers
  .filter((layer) => layer.isolated)
  .flatMap((layer) =>
    layer.paths.map((path) => ({
      name: `layer-${layer.name}-imports-peer`,
      comment: `${path} must not import another folder of ${layer.name} (${layer.paths.join(', ')})`,
      severity: 'error',
      from: { path: anyOf([path]) },
      to: { path: anyOf(layer.paths.filter((other) => other !== path)) },
    })),
  );

const layered = [...layers.flatMap((l) => l.paths), SIMULATOR];

export default {
  forbidden: [
    ...upward,
    ...peers,
    {
      name: 'simulator-imports-beyond-ground',
      comment: `the simulator may import only ${SIMULATOR_MAY_IMPORT.join(', ')}`,
      severity: 'error',
      from: { path: anyOf([SIMULATOR]) },
      to: { path: '^src/', pathNot: anyOf([SIMULATOR, ...SIMULATOR_MAY_IMPORT]) },
    },
    {
      name: 'simulator-imported-by-service-code',
      comment: 'the simulator is a separate tool: only the CLI (simulate, demo) and tests start it',
      severity: 'error',
      from: { path: '^src/', pathNot: anyOf([SIMULATOR, 'src/cli/']) },
      to: { path: anyOf([SIMULATOR]) },
    },
    {
      name: 'module-outside-the-layers',
      comment:
        'every module of src/ belongs to a layer: add its folder to `layers` in .dependency-cruiser.mjs',
      severity: 'error',
      from: { path: '^src/', pathNot: anyOf(layered) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: a store that imports the scan's types is an upward arrow.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: '^src/',
  },
};
