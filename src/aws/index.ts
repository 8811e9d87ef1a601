/** The only module that builds AWS SDK clients and credentials. */
export type { AwsContext, AwsSettings } from './clients.js';
export { createAwsContext } from './clients.js';
export type { CallOutcome, OperationCount } from './counter.js';
export { ApiCallCounter, isThrottling } from './counter.js';
export { roleSessionName, shared } from './credentials.js';
export type { ScanClients } from './scan-clients.js';
