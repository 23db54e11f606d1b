/**
 * Feedback as labelled training rows, one JSON object per line, in the shape of the project's
 * labelled data: {"text"?, "text_sha256", "label", "source": "feedback", "tenant", ...}.
 * Label 1 = a missed threat (false negative), 0 = a harmless text that was flagged (false
 * positive). `text` is present only when the caller sent it with the report; rows with only a
 * hash still tell a training run which of its own rows were reported (match by the same
 * normalised hash, src/engine/feedback-text.ts) and are left out with `requireText`.
 */
import type { FeedbackEntry } from './feedback-store.js';

export interface FeedbackTrainingRow {
  text?: string;
  text_sha256: string;
  label: 0 | 1;
  source: 'feedback';
  tenant: string;
  /** "content" (a whole text) or "phrase" (a piece of one). */
  subset: string;
  meta: { feedback_id: string; kind: string; created_at: string; threat_type?: string; scan_id?: string };
}

export function trainingRow(entry: FeedbackEntry): FeedbackTrainingRow {
  const row: FeedbackTrainingRow = {
    text_sha256: entry.sha256,
    label: entry.kind === 'FALSE_NEGATIVE' ? 1 : 0,
    source: 'feedback',
    tenant: entry.tenant,
    subset: entry.subject,
    meta: { feedback_id: entry.id, kind: entry.kind, created_at: entry.createdAt },
  };
  if (entry.text !== undefined) row.text = entry.text;
  if (entry.threatType) row.meta.threat_type = entry.threatType;
  if (entry.scanId) row.meta.scan_id = entry.scanId;
  return row;
}

/** JSONL of a tenant's entries (every tenant's when `tenant` is undefined), in report order. */
export function exportFeedbackJsonl(entries: readonly FeedbackEntry[], options: { tenant?: string; requireText?: boolean } = {}): string {
  return entries
    .filter((e) => options.tenant === undefined || e.tenant === options.tenant)
    .filter((e) => !options.requireText || e.text !== undefined)
    .map((e) => JSON.stringify(trainingRow(e)) + '\n')
    .join('');
}
