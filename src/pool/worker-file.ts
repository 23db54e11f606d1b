/**
 * Where the scan worker's code is. Compiled (dist/) it is plain JavaScript next to this file.
 * From source (vitest/tsx) this file is TypeScript and a thread does not inherit the parent's
 * loader, so the thread starts from a small ESM bootstrap that registers tsx itself (see
 * scan-worker-tsx.mjs for why `--import tsx` is not enough).
 */
export interface WorkerEntry {
  filename: string;
  execArgv: string[] | undefined;
}

/** The worker file and thread flags for the way this process runs (compiled or from source). */
export function scanWorkerEntry(): WorkerEntry {
  const runningFromSource = import.meta.url.endsWith('.ts');
  if (!runningFromSource) return { filename: new URL('./scan-worker.js', import.meta.url).href, execArgv: undefined };
  // The parent's flags may name loaders of the test runner; the bootstrap brings its own.
  return { filename: new URL('./scan-worker-tsx.mjs', import.meta.url).href, execArgv: [] };
}
