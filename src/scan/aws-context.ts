/** AWS clients from the configuration, for a scan or for the change-triggered runner. */
import { createAwsContext } from '../aws/index.js';
import type { ApiCallCounter, AwsContext } from '../aws/index.js';
import { partitionOfRegion } from '../catalog/index.js';
import type { LoadedConfig } from '../config/index.js';

/** AWS clients bound to the configuration's roles (session names carry `sessionId`). */
export function awsContextFor(loaded: LoadedConfig, sessionId: string, counter: ApiCallCounter): AwsContext {
  const { config } = loaded;
  return createAwsContext(
    {
      homeRegion: config.homeRegion,
      partition: partitionOfRegion(config.homeRegion),
      memberRole: config.memberRole,
      hub: config.hub,
      maxAttempts: config.aws.maxAttempts,
      retryMode: config.aws.retryMode,
      requestTimeoutMs: config.aws.requestTimeoutMs,
    },
    sessionId,
    counter,
  );
}
