/** Ends a command-line script with one clear line instead of a stack trace. */
export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`\n[threadline] ${message}\n`);
  process.exit(1);
}
