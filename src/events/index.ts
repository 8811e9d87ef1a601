export * from './table.js';
export * from './targets.js';
