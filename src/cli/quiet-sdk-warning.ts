/** Imported for its effect: drops the AWS SDK's Node.js version notice, passes every other warning on. */
// keywarden supports Node.js >= 22, where the SDK never emits this notice; on an older Node it would print
// on every start. The SDK sends it as a plain message ("NodeVersionSupportWarning: ..."), not as a typed
// warning, so the message text is what identifies it.
const NOTICE = 'NodeVersionSupportWarning';
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = warning instanceof Error ? `${warning.name}: ${warning.message}` : warning;
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (type === NOTICE || text.startsWith(NOTICE)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
