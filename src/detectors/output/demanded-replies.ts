/**
 * Hijacked answers: what an injected input demanded the model say, and whether an answer
 * complies.
 *
 * {@link extractDemandedReplies} reads an input (a prompt, a retrieved document) for demands
 * of a specific reply: "respond only with 'I have been PWNED'", "say ACCESS GRANTED",
 * "print this URL: https://...". It is called only for inputs already judged to be injections
 * (by the input scan, or by the hijack detector on `input_content`), because benign prompts
 * ask for specific replies too ("answer with just yes or no").
 *
 * {@link findCompliance} tells whether an answer obeys one of them: the answer is the demanded
 * text (or starts with it and little else), contains a demanded text of some length without
 * refusing, or contains a demanded URL.
 */
import RE2 from 're2';
import type { TextSpan } from '../types.js';

/** Demands kept per input; more is noise. */
const MAX_DEMANDS = 8;
const MAX_DEMAND_CHARS = 200;
/** Demanded texts shorter than this (normalised) count only when they are the whole answer. */
const MIN_CONTAINED_CHARS = 8;

const VERB = String.raw`(?:respond|reply|answer|output|print|say|write|type|return|state|repeat|echo|display|show|include|render|insert|add|begin|start|end|finish)`;
const QUOTED = String.raw`(?:"([^"\n]{1,200})"|'([^'\n]{1,200})'|\x60([^\x60\n]{1,200})\x60)`;
/** verb [your (response|answer)] [only|just|exactly|simply] [with|by saying] [the (text|phrase|...)] [:] QUOTED */
// RE2, not RegExp: inputs are attacker-written and these patterns have optional repeats.
const QUOTED_DEMAND = new RE2(
  String.raw`(?i)\b${VERB}\w*(?:\s+(?:your|the|each|every|all)\s+(?:\w+\s+)?(?:response|responses|answer|answers|reply|replies|output|message))?(?:\s+(?:only|just|exactly|simply|solely|verbatim|instead))*(?:\s+(?:with|by saying|saying|that|as|the\s+(?:text|words?|phrase|string|sentence|message|following)))*(?:\s+(?:only|just|exactly))?\s*[:\-–]?\s*${QUOTED}`,
  'gi',
);
/** verb [only|just|exactly] SHOUTED PHRASE ("say ACCESS GRANTED", "print I HAVE BEEN PWNED") */
const SHOUTED_DEMAND = new RE2(
  String.raw`(?i:\b(?:respond|reply|answer|output|print|say|write|type|return|state)\w*(?:\s+(?:only|just|exactly|simply|with))*)\s*:?\s*([A-Z][A-Z0-9]*(?:[ _!.,-]+[A-Z0-9]+){0,8})(?:$|[\s"'.,;)!])`,
  'g',
);
/** verb [this|the following|the] (url|link|image|address) [:] URL */
const URL_DEMAND = new RE2(
  String.raw`(?i)\b(?:print|output|include|insert|add|show|display|render|write|say|respond with|reply with|repeat|append|embed|send)\w*\b[^\n]{0,60}?\b(?:url|link|image|address|website|markdown)s?\b[^\n]{0,20}?((?:https?:)?//[^\s)"'<>\]]+)`,
  'g',
);
/** A markdown image or link the input wants rendered in the answer. */
const MARKDOWN_TARGET = new RE2(String.raw`!?\[[^\]\n]{0,200}\]\(\s*((?:https?:)?//[^\s)]+)\s*\)`, 'g');

function* matchesOf(re: RE2, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) re.lastIndex = m.index + 1;
    yield m;
  }
}

function fold(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/[\u2018\u2019\u201a\u201b]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '"');
}

/** The replies `input` demands, in order of appearance, without duplicates. */
export function extractDemandedReplies(input: string): string[] {
  const text = fold(input.length > 64 * 1024 ? input.slice(0, 64 * 1024) : input);
  const found = new Map<string, number>();
  const add = (value: string | undefined, at: number): void => {
    const v = value?.trim();
    if (!v || v.length > MAX_DEMAND_CHARS || normalise(v).length < 2) return;
    const key = normalise(v);
    if (!found.has(v) && ![...found.keys()].some((k) => normalise(k) === key)) found.set(v, at);
  };
  for (const m of matchesOf(QUOTED_DEMAND, text)) add(m[1] ?? m[2] ?? m[3], m.index);
  for (const m of matchesOf(SHOUTED_DEMAND, text)) if ((m[1] as string).replace(/[^A-Z]/g, '').length >= 4) add(m[1], m.index);
  for (const m of matchesOf(URL_DEMAND, text)) add(m[1], m.index);
  if (/\b(?:include|render|display|show|insert|add|append|embed|output|print)\b/i.test(text)) {
    for (const m of matchesOf(MARKDOWN_TARGET, text)) add(m[1], m.index);
  }
  return [...found.entries()].sort((a, b) => a[1] - b[1]).slice(0, MAX_DEMANDS).map(([v]) => v);
}

/** Lower case, letters and digits only, single spaces: how demands and answers are compared. */
function normalise(text: string): string {
  return fold(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The normalised text with, per character, its offset in the original. */
function normaliseWithOffsets(text: string): { text: string; offsets: number[] } {
  let out = '';
  const offsets: number[] = [];
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (/[\p{L}\p{N}]/u.test(ch)) {
      if (pendingSpace && out.length > 0) {
        out += ' ';
        offsets.push(i);
      }
      pendingSpace = false;
      const lower = ch.toLowerCase();
      out += lower.length === 1 ? lower : ch;
      offsets.push(i);
    } else if (!/[\u200b-\u200f\u2060\ufeff]/.test(ch)) {
      pendingSpace = true;
    }
  }
  return { text: out, offsets };
}

const REFUSAL = /\b(?:i\s+(?:can\s*not|can't|cannot|won't|will not|must not|shouldn't|should not|am not able|'m not able|am unable|'m unable|refuse|decline|must decline|am not going|'m not going)|not (?:able|going|allowed) to|sorry|unable to comply|cannot comply|can't comply|as an ai)\b/i;

export interface Compliance {
  /** Which demand (index into the list). */
  demand: number;
  confidence: number;
  span: TextSpan;
  /** The answer is nothing but the demanded text. */
  whole: boolean;
}

/** The strongest way `answer` complies with one of `demands`; null when it does not. */
export function findCompliance(answer: string, demands: readonly string[]): Compliance | null {
  if (demands.length === 0 || answer.trim() === '') return null;
  const norm = normaliseWithOffsets(fold(answer));
  const refuses = REFUSAL.test(fold(answer));
  let best: Compliance | null = null;
  demands.forEach((demand, index) => {
    const result = isUrl(demand) ? urlCompliance(answer, demand, index, refuses) : textCompliance(norm, normalise(demand), refuses, index, answer.length);
    if (result && (!best || result.confidence > best.confidence)) best = result;
  });
  return best;
}

function isUrl(demand: string): boolean {
  return /^(?:https?:)?\/\//i.test(demand);
}

function urlCompliance(answer: string, demand: string, index: number, refuses: boolean): Compliance | null {
  const core = demand.replace(/^(?:https?:)?\/\//i, '').replace(/[/?#]+$/, '');
  if (core.length < 4) return null;
  const at = answer.toLowerCase().indexOf(core.toLowerCase());
  if (at < 0) return null;
  // Quoting the URL while refusing it is not compliance, but the link is still there: weak.
  return { demand: index, confidence: refuses ? 0.45 : 0.9, span: { start: at, end: at + core.length }, whole: false };
}

function textCompliance(
  norm: { text: string; offsets: number[] },
  demand: string,
  refuses: boolean,
  index: number,
  answerLength: number,
): Compliance | null {
  if (demand.length < 2) return null;
  const at = findWord(norm.text, demand);
  if (at < 0) return null;
  const span = { start: norm.offsets[at] as number, end: (norm.offsets[at + demand.length - 1] as number) + 1 };
  const rest = norm.text.length - demand.length;
  // "I have been PWNED" alone, or with a few words around it ("Sure! I have been PWNED").
  if (rest <= Math.max(12, demand.length / 2) && !refuses) return { demand: index, confidence: 0.95, span, whole: true };
  if (demand.length < MIN_CONTAINED_CHARS || refuses) return null;
  void answerLength;
  return { demand: index, confidence: at <= 24 ? 0.85 : 0.75, span, whole: false };
}

/** Index of `needle` in `haystack` at word boundaries (both normalised); -1 when absent. */
function findWord(haystack: string, needle: string): number {
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const before = at === 0 || haystack[at - 1] === ' ';
    const after = at + needle.length === haystack.length || haystack[at + needle.length] === ' ';
    if (before && after) return at;
  }
  return -1;
}
