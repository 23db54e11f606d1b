/**
 * Where a text holds code: fenced blocks (``` or ~~~), inline code spans, and lines that look
 * typed at a shell prompt ("$ ", "# ", "PS> ", "> " followed by a command). Used to tell a
 * command the answer hands the reader from one it mentions in prose.
 */
import type { TextSpan } from '../types.js';

const FENCE = /^[ \t]{0,3}(`{3,}|~{3,})[^\n]*$/gm;
const INLINE = /`([^`\n]{1,500})`/g;
const PROMPT_LINE = /^[ \t]*(?:\$|#|PS[^>\n]{0,40}>|>>>|%)[ \t]+\S[^\n]*$/gm;

/** Code regions of `text`, sorted, possibly overlapping. */
export function codeRegions(text: string): TextSpan[] {
  const regions: TextSpan[] = [];
  if (text.includes('```') || text.includes('~~~')) {
    let open: { start: number; marker: string } | null = null;
    for (const m of text.matchAll(FENCE)) {
      const marker = (m[1] as string).slice(0, 3);
      if (open === null) open = { start: m.index, marker };
      else if (marker === open.marker) {
        regions.push({ start: open.start, end: m.index + m[0].length });
        open = null;
      }
    }
    // An unclosed fence runs to the end (a streamed answer may not have closed it yet).
    if (open !== null) regions.push({ start: open.start, end: text.length });
  }
  if (text.includes('`')) for (const m of text.matchAll(INLINE)) regions.push({ start: m.index, end: m.index + m[0].length });
  for (const m of text.matchAll(PROMPT_LINE)) regions.push({ start: m.index, end: m.index + m[0].length });
  return regions.sort((a, b) => a.start - b.start);
}

/** True when `span` lies inside one of `regions`. */
export function insideAny(span: TextSpan, regions: readonly TextSpan[]): boolean {
  return regions.some((r) => span.start >= r.start && span.end <= r.end);
}
