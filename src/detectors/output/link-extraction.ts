/**
 * Every place a text points at a URL, with the span of the whole construct: markdown images
 * and links (inline and reference-style), HTML tags with URL attributes, and bare URLs.
 * The span covers what must go when the link is removed (`![alt](url)`, `<img ...>`), so a
 * redaction leaves no half-built markup behind.
 *
 * `autoLoads` marks what a renderer fetches without a click (images, iframes, scripts,
 * styles, media): the zero-click exfiltration channel.
 */
import type { AnalyzedText, TextSpan } from '../types.js';

export type LinkKind = 'markdown-image' | 'markdown-link' | 'markdown-reference' | 'html-tag' | 'bare-url';

export interface LinkOccurrence {
  kind: LinkKind;
  /** The whole construct (what redaction replaces). */
  span: TextSpan;
  /** The URL as written (not decoded). */
  url: string;
  autoLoads: boolean;
}

/** Links examined per text; a text with more is cut off (bounded work on hostile input). */
const MAX_LINKS = 512;

// JS RegExp literals, not RE2: node-re2 converts the whole subject on every exec call, so an
// answer with dozens of links cost O(links x length) (3 ms for 2 KB). These patterns are
// fixed and linear: alternatives start with different characters, repeats are bounded or
// stop at a delimiter, and every attempt ends at the next newline, bracket or '>'.
const MARKDOWN_INLINE =
  /(!?)\[((?:[^[\]\n]|\[[^[\]\n]{0,200}\]){0,1000})\]\(\s*<?([^\s()<>]+(?:\([^\s()<>]*\)[^\s()<>]*)*)>?(?:\s+(?:"[^"\n]{0,500}"|'[^'\n]{0,500}'|\([^)\n]{0,500}\)))?\s*\)/g;
const MARKDOWN_REFERENCE_IMAGE = /!\[[^[\]\n]{0,1000}\]\[([^[\]\n]{1,200})\]/g;
const MARKDOWN_DEFINITION = /^[ \t]{0,3}\[([^[\]\n]{1,200})\]:[ \t]*<?([^\s>]+)>?(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$/gm;
const HTML_TAG =
  /<(img|image|iframe|frame|script|link|embed|object|source|video|audio|track|input|body|table|td|a|area|form|meta|base|svg|use|style)\b[^<>]{0,4000}>/gi;
const HTML_URL_ATTRIBUTE = /\b(src|href|data|action|poster|background|srcset|xlink:href|content|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const CSS_URL = /url\(\s*["']?([^"')\s]+)["']?\s*\)/gi;
const BARE_URL = /\b(?:https?|ftp|wss?):\/\/[^\s<>"'\x60]+/gi;
/** Tags whose URL is fetched when the markup is rendered. */
const AUTO_LOADING_TAGS = new Set(['img', 'image', 'iframe', 'frame', 'script', 'embed', 'object', 'source', 'video', 'audio', 'track', 'input', 'body', 'table', 'td', 'link', 'svg', 'use', 'style', 'meta']);
const TRAILING_PUNCTUATION = '.,;:!?\'"*_~';

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) re.lastIndex = m.index + 1;
    yield m;
  }
}

/** Links per analysed text: the exfiltration and URL detectors of one scan share one extraction. */
const memo = new WeakMap<AnalyzedText, LinkOccurrence[]>();

/** {@link findLinks} of the original text, computed once per scan. */
export function linksOf(text: AnalyzedText): readonly LinkOccurrence[] {
  let links = memo.get(text);
  if (links === undefined) {
    links = findLinks(text.original);
    memo.set(text, links);
  }
  return links;
}

/** Every link in `text`, in text order; constructs inside another one's span are not repeated. */
export function findLinks(text: string): LinkOccurrence[] {
  if (!mayHaveLinks(text)) return [];
  const found: LinkOccurrence[] = [];
  const covered: TextSpan[] = [];
  const add = (link: LinkOccurrence): void => {
    if (found.length >= MAX_LINKS) return;
    found.push(link);
    covered.push(link.span);
  };
  const isCovered = (start: number, end: number): boolean => covered.some((s) => start >= s.start && end <= s.end);

  for (const m of matches(MARKDOWN_INLINE, text)) {
    const image = m[1] === '!';
    add({ kind: image ? 'markdown-image' : 'markdown-link', span: { start: m.index, end: m.index + m[0].length }, url: m[3] as string, autoLoads: image });
  }
  const imageReferences = new Set<string>();
  for (const m of matches(MARKDOWN_REFERENCE_IMAGE, text)) imageReferences.add((m[1] as string).toLowerCase());
  for (const m of matches(MARKDOWN_DEFINITION, text)) {
    const label = (m[1] as string).toLowerCase();
    add({ kind: 'markdown-reference', span: { start: m.index, end: m.index + m[0].length }, url: m[2] as string, autoLoads: imageReferences.has(label) });
  }
  for (const m of matches(HTML_TAG, text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (isCovered(start, end)) continue;
    const tag = (m[1] as string).toLowerCase();
    // A tag with several URLs (srcset, style + src) yields one occurrence per URL, same span.
    for (const url of tagUrls(m[0])) add({ kind: 'html-tag', span: { start, end }, url, autoLoads: AUTO_LOADING_TAGS.has(tag) });
  }
  for (const m of matches(BARE_URL, text)) {
    const url = trimUrl(m[0]);
    const start = m.index;
    const end = start + url.length;
    if (isCovered(start, end)) continue;
    add({ kind: 'bare-url', span: { start, end }, url, autoLoads: false });
  }
  return found.sort((a, b) => a.span.start - b.span.start);
}

/** Cheap check before any regex: no "://", "](", "<" or "]:" means no link of any kind. */
function mayHaveLinks(text: string): boolean {
  return text.includes('://') || text.includes('](') || text.includes('<') || text.includes(']:') || text.includes('][');
}

function tagUrls(tag: string): string[] {
  const urls: string[] = [];
  for (const m of matches(HTML_URL_ATTRIBUTE, tag)) {
    const name = (m[1] as string).toLowerCase();
    const value = decodeHtmlEntities((m[2] ?? m[3] ?? m[4] ?? '').trim());
    if (value === '') continue;
    if (name === 'srcset') {
      for (const part of value.split(',')) {
        const url = part.trim().split(/\s+/)[0];
        if (url) urls.push(url);
      }
    } else if (name === 'content') {
      // <meta http-equiv="refresh" content="0;url=https://...">
      const at = value.toLowerCase().indexOf('url=');
      if (at >= 0) urls.push(value.slice(at + 4).trim());
    } else {
      urls.push(value);
    }
  }
  for (const m of matches(CSS_URL, tag)) urls.push(decodeHtmlEntities(m[1] as string));
  return urls;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', sol: '/', quest: '?', equals: '=', period: '.' };

/** The HTML character references attribute values use to disguise URLs. */
function decodeHtmlEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));?/gi, (whole, dec?: string, hex?: string, name?: string) => {
    const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : undefined;
    if (code !== undefined) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    return ENTITIES[(name as string).toLowerCase()] ?? whole;
  });
}

/** Sentence punctuation and an unmatched closing bracket after a bare URL are not part of it. */
export function trimUrl(raw: string): string {
  let value = raw;
  for (;;) {
    const last = value[value.length - 1] as string;
    if (TRAILING_PUNCTUATION.includes(last)) value = value.slice(0, -1);
    else if (last === ')' && count(value, '(') < count(value, ')')) value = value.slice(0, -1);
    else if (last === ']' && count(value, '[') < count(value, ']')) value = value.slice(0, -1);
    else return value;
  }
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}
