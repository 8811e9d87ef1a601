/** The AWS-compatible simulator (tests, demo, benchmarks). Production code never imports it. */
export type { RunningSimulator, SimulatorFaults, SimulatorOptions } from './server.js';
export { DEFAULT_HUB_CREDENTIALS, startSimulator } from './server.js';
export type { ExpectedResult, ExpectedUnitError, OrganizationOptions } from './generate.js';
export {
  ADMIN_ROLE,
  DEFAULT_EXTERNAL_ID,
  DEFAULT_MEMBER_ROLE,
  DEFAULT_REGIONS,
  generateOrganization,
} from './generate.js';
export type { SimState } from './state.js';
export type { QueueCounts, SimSqs } from './sqs.js';
export { regionsOutside } from './regions.js';
export type { EventFaults, EventQueueOptions, EventQueueRef, SimEvents } from './events.js';
export { DEFAULT_EVENT_QUEUE } from './events.js';
export type { FindingRef, FireCustomAction } from './action-targets.js';
export type { LoggedRequest, RequestLog } from './request-log.js';
