/**
 * The feedback journal: one JSON line per {@link FeedbackEntry}, appended when a report is
 * accepted and replayed at start, so feedback survives restarts and `bulwark feedback export`
 * can read it without a running sidecar. Lines that do not parse are skipped and counted (a
 * torn last line after a crash must not lose the rest).
 */
import { existsSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import type { FeedbackEntry } from './feedback-store.js';

const KINDS = new Set(['FALSE_POSITIVE', 'FALSE_NEGATIVE']);
const SUBJECTS = new Set(['content', 'phrase']);

function isEntry(value: unknown): value is FeedbackEntry {
  const e = value as Partial<FeedbackEntry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.id === 'string' &&
    typeof e.tenant === 'string' &&
    typeof e.sha256 === 'string' &&
    typeof e.createdAt === 'string' &&
    KINDS.has(e.kind as string) &&
    SUBJECTS.has(e.subject as string)
  );
}

/** Entries of a journal file in order; a missing file is an empty journal. */
export function readFeedbackJournal(path: string): { entries: FeedbackEntry[]; skippedLines: number } {
  if (!existsSync(path)) return { entries: [], skippedLines: 0 };
  const entries: FeedbackEntry[] = [];
  let skippedLines = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isEntry(value)) entries.push(value);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  return { entries, skippedLines };
}

/** Appends one entry (created with mode 0600: it may hold text a caller reported). */
export async function appendFeedbackJournal(path: string, entry: FeedbackEntry): Promise<void> {
  await appendFile(path, JSON.stringify(entry) + '\n', { encoding: 'utf8', mode: 0o600 });
}
