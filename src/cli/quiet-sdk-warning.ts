/** Imported for its effect: drops one AWS SDK start-up notice. */
// The AWS SDK warns on every start that future releases will need Node 22; keywarden supports Node 20.19+
// today (its container runs Node 24), so the notice is noise for users of this command line.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  const name = warning instanceof Error ? warning.name : type;
  if (name === 'NodeVersionSupportWarning') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
