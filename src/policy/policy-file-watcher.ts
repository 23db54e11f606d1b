/**
 * Hot reload of a policy file.
 *
 * Watches the file's DIRECTORY, not the file: editors save by writing a temporary file and
 * renaming it over the original, and Kubernetes updates a mounted ConfigMap by swapping a
 * `..data` symlink; a watch on the old file's inode would miss both. Events are debounced
 * (writes come in bursts), and a slow poll re-reads the file in case the platform's
 * watcher drops events (network file systems, some container runtimes).
 *
 * A new set is reported only when it is valid AND its version differs from the one in force.
 * An invalid file is reported once (per distinct content) through `onError`, with the
 * PolicyValidationError naming line and field; the caller keeps enforcing its last good set.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { PolicyEnvironment } from './compile-policy.js';
import { parsePolicySet } from './load-policy.js';
import type { PolicySet } from './types.js';

export interface PolicyFileWatchOptions {
  /** A valid set whose version differs from the one in force. */
  onReload(set: PolicySet): void;
  /** An invalid or unreadable file (PolicyValidationError or a file-system error). */
  onError(err: Error): void;
  /**
   * Version of the set the caller enforces now (usually from loadPolicySetFromFile). When
   * absent, the first valid read is reported through onReload.
   */
  currentVersion?: string;
  /** Quiet time after the last file-system event before re-reading; default 100 ms. */
  debounceMs?: number;
  /** Fallback re-read interval; default 2000 ms. */
  pollIntervalMs?: number;
  /** Where secrets are read from; default process.env. */
  env?: PolicyEnvironment;
}

export interface PolicyFileWatch {
  close(): void;
}

/** Starts watching; the first check runs immediately (asynchronously). */
export function watchPolicyFile(path: string, options: PolicyFileWatchOptions): PolicyFileWatch {
  const file = resolve(path);
  const debounceMs = options.debounceMs ?? 100;
  let currentVersion = options.currentVersion;
  let lastText: string | undefined;
  let lastReadError: string | undefined;
  let closed = false;
  let running = false;
  let rerun = false;
  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;

  const check = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      rerun = true;
      return;
    }
    running = true;
    try {
      await checkOnce();
    } finally {
      running = false;
    }
    if (rerun && !closed) {
      rerun = false;
      void check();
    }
  };

  const checkOnce = async (): Promise<void> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      if (!closed && code !== lastReadError) {
        lastReadError = code;
        lastText = undefined;
        options.onError(new Error(`cannot read policy file ${path}: ${code}`));
      }
      return;
    }
    lastReadError = undefined;
    if (closed || text === lastText) return;
    lastText = text;
    let set: PolicySet;
    try {
      set = parsePolicySet(text, path, options.env ?? process.env);
    } catch (err) {
      options.onError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (set.version === currentVersion) return;
    currentVersion = set.version;
    try {
      options.onReload(set);
    } catch (err) {
      options.onError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const schedule = (): void => {
    if (closed) return;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      void check();
    }, debounceMs);
    debounce.unref();
  };

  const startWatcher = (): void => {
    if (closed || watcher) return;
    try {
      // Any event in the directory may be our file changing (rename-over, symlink swap): the
      // check itself compares content, so spurious events cost one read.
      watcher = watch(dirname(file), { persistent: false }, schedule);
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined; // the poll keeps going and restarts the watcher
      });
    } catch {
      watcher = undefined; // directory missing for now; the poll retries
    }
  };

  startWatcher();
  const poll = setInterval(() => {
    startWatcher();
    void check();
  }, options.pollIntervalMs ?? 2000);
  poll.unref();
  void check();

  return {
    close(): void {
      closed = true;
      clearInterval(poll);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
      watcher = undefined;
    },
  };
}
