/**
 * Where the scan worker's code is, and how to start a thread that can run it. Compiled
 * (dist/) the worker is plain JavaScript next to this file. Under vitest/tsx this file is
 * TypeScript, and a worker thread does not inherit the parent's loader hooks, so the thread
 * is started with tsx's loader itself.
 */
export interface WorkerEntry {
  filename: string;
  execArgv: string[] | undefined;
}

export function scanWorkerEntry(): WorkerEntry {
  const runningFromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(runningFromSource ? './scan-worker.ts' : './scan-worker.js', import.meta.url).href;
  return { filename, execArgv: runningFromSource ? ['--import', 'tsx'] : undefined };
}
