// Source-mode entry of the scan worker (vitest, tsx): registers tsx's ESM loader inside the
// thread, then loads the TypeScript worker as ESM. Passing `--import tsx` to the thread instead
// leaves Node 20 threads without the ESM hooks, and tsx then compiles the whole engine to
// CommonJS, where some packages resolve to different builds (libphonenumber-js's `Metadata`
// is missing there). Compiled code (dist/) never uses this file.
import { register } from 'tsx/esm/api';

register();
const { default: runScanTask } = await import('./scan-worker.ts');
export default runScanTask;
