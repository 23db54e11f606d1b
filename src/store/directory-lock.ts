/**
 * An exclusive lock on a data directory for the lifetime of this process: a `<dir>.lock`
 * file holding our pid, created with O_EXCL. A lock left by a process that no longer
 * exists is taken over.
 */
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';

/** A held lock. */
export interface DirectoryLock {
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws an Error naming the process that holds it. */
export function acquireDirectoryLock(dir: string): DirectoryLock {
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        throw new Error(`data directory ${dir} is in use by process ${holder} (lock file ${path})`, { cause: err });
      }
      if (holder === process.pid) throw new Error(`data directory ${dir} is already open in this process`, { cause: err });
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new Error(`could not lock data directory ${dir}`);
}
