/**
 * A subset of the Hugging Face `tokenizers` JSON format (tokenizer.json), enough to run exported
 * text classifiers locally: BERT-style WordPiece models and SentencePiece Unigram models
 * (DeBERTa-v3, mDeBERTa — the Prompt Guard family). Never touches the network.
 *
 * Supported: normalizers BertNormalizer, Lowercase, NFC/NFD/NFKC/NFKD, StripAccents, Strip,
 * Replace (string pattern), Prepend, Precompiled (approximated by NFKC: SentencePiece's
 * nmt_nfkc charsmap is NFKC plus whitespace clean-up), Sequence; pre-tokenizers BertPreTokenizer,
 * Whitespace, WhitespaceSplit, Metaspace, Punctuation, Sequence; post-processors
 * TemplateProcessing, BertProcessing, RobertaProcessing. Anything else is rejected at load time
 * with a clear error rather than silently tokenised differently.
 */

type Json = Record<string, unknown>;

export interface Encoding {
  ids: number[];
  typeIds: number[];
}

export interface Tokenizer {
  /** Token ids of `text` without special tokens. */
  tokenize(text: string): number[];
  /** Wraps content ids with the post-processor's special tokens (e.g. [CLS] … [SEP]). */
  wrap(ids: number[]): Encoding;
  /** How many special tokens `wrap` adds to a single sequence. */
  readonly specialTokenCount: number;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(message: string): never {
  throw new Error(`tokenizer.json: ${message}`);
}

// ---------- normalisers ----------

type Normalizer = (text: string) => string;

// BERT's clean_text drops control characters (C0 except tab/newline/return, DEL, C1) and U+FFFD.
const CONTROL = /[\p{Cc}\ufffd]/gu;
const KEEP_WHITESPACE_CONTROLS = /[\t\n\r]/;
const OTHER_WHITESPACE = /[\t\n\r\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g;
const COMBINING = /\p{Mn}/gu;
const CJK = /([\u4e00-\u9fff\u3400-\u4dbf\u{20000}-\u{2a6df}\u{2a700}-\u{2ebef}\uf900-\ufaff\u{2f800}-\u{2fa1f}])/gu;

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(COMBINING, '');
}

function buildNormalizer(spec: unknown): Normalizer {
  if (spec === null || spec === undefined) return (t) => t;
  if (!isObject(spec)) fail('normalizer must be an object');
  switch (spec.type) {
    case 'Sequence': {
      const parts = ((spec.normalizers as unknown[]) ?? []).map(buildNormalizer);
      return (t) => parts.reduce((acc, n) => n(acc), t);
    }
    case 'BertNormalizer': {
      const lowercase = spec.lowercase !== false;
      const strip = spec.strip_accents === null || spec.strip_accents === undefined ? lowercase : spec.strip_accents === true;
      return (t) => {
        let s = t;
        if (spec.clean_text !== false) s = s.replace(CONTROL, (c) => (KEEP_WHITESPACE_CONTROLS.test(c) ? c : '')).replace(OTHER_WHITESPACE, ' ');
        if (spec.handle_chinese_chars !== false) s = s.replace(CJK, ' $1 ');
        if (strip) s = stripAccents(s);
        return lowercase ? s.toLowerCase() : s;
      };
    }
    case 'Lowercase':
      return (t) => t.toLowerCase();
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = spec.type;
      return (t) => t.normalize(form);
    }
    case 'Precompiled':
      return (t) => t.normalize('NFKC');
    case 'StripAccents':
      return stripAccents;
    case 'Strip':
      return (t) => (spec.left === false ? t : t.trimStart()).replace(spec.right === false ? /$^/ : /\s+$/u, '');
    case 'Prepend': {
      const prefix = String(spec.prepend ?? '');
      return (t) => (t.length > 0 ? prefix + t : t);
    }
    case 'Replace': {
      const pattern = spec.pattern;
      if (!isObject(pattern) || typeof pattern.String !== 'string') fail('Replace normalizer: only string patterns are supported');
      const from = pattern.String;
      const to = String(spec.content ?? '');
      return (t) => t.split(from).join(to);
    }
    default:
      return fail(`unsupported normalizer type ${String(spec.type)}`);
  }
}

// ---------- pre-tokenisers ----------

type PreTokenizer = (pieces: string[]) => string[];

const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE_SPLIT = /\s+/u;

function splitPunctuation(word: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of word) {
    if (PUNCTUATION.test(ch)) {
      if (current !== '') out.push(current);
      out.push(ch);
      current = '';
    } else current += ch;
  }
  if (current !== '') out.push(current);
  return out;
}

function buildPreTokenizer(spec: unknown): PreTokenizer {
  if (spec === null || spec === undefined) return (p) => p;
  if (!isObject(spec)) fail('pre_tokenizer must be an object');
  switch (spec.type) {
    case 'Sequence': {
      const parts = ((spec.pretokenizers as unknown[]) ?? []).map(buildPreTokenizer);
      return (p) => parts.reduce((acc, f) => f(acc), p);
    }
    case 'WhitespaceSplit':
      return (p) => p.flatMap((s) => s.split(WHITESPACE_SPLIT).filter((w) => w !== ''));
    case 'BertPreTokenizer':
    case 'Whitespace':
      return (p) => p.flatMap((s) => s.split(WHITESPACE_SPLIT).filter((w) => w !== '').flatMap(splitPunctuation));
    case 'Punctuation':
      return (p) => p.flatMap(splitPunctuation);
    case 'Metaspace': {
      const replacement = String(spec.replacement ?? '▁');
      const scheme = spec.prepend_scheme ?? (spec.add_prefix_space === false ? 'never' : 'always');
      const split = spec.split !== false;
      return (p) =>
        p.flatMap((s, index) => {
          let t = s.split(' ').join(replacement);
          if ((scheme === 'always' || (scheme === 'first' && index === 0)) && !t.startsWith(replacement)) t = replacement + t;
          if (!split) return [t];
          // Split before each replacement character, keeping it as the word's prefix.
          const words: string[] = [];
          let current = '';
          for (const ch of t) {
            if (ch === replacement && current !== '') {
              words.push(current);
              current = '';
            }
            current += ch;
          }
          if (current !== '') words.push(current);
          return words;
        });
    }
    default:
      return fail(`unsupported pre_tokenizer type ${String(spec.type)}`);
  }
}

// ---------- models ----------

type Model = (word: string) => number[];

function buildWordPiece(spec: Json): Model {
  if (!isObject(spec.vocab)) fail('WordPiece model needs a vocab object');
  const vocab = new Map<string, number>(Object.entries(spec.vocab as Record<string, number>));
  const unk = vocab.get(String(spec.unk_token ?? '[UNK]'));
  if (unk === undefined) fail('WordPiece unk_token is not in the vocab');
  const prefix = String(spec.continuing_subword_prefix ?? '##');
  const maxChars = Number(spec.max_input_chars_per_word ?? 100);
  return (word) => {
    const chars = Array.from(word);
    if (chars.length > maxChars) return [unk];
    const ids: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      // Greedy longest match first.
      while (start < end) {
        const piece = (start > 0 ? prefix : '') + chars.slice(start, end).join('');
        found = vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [unk];
      ids.push(found);
      start = end;
    }
    return ids;
  };
}

function buildUnigram(spec: Json): Model {
  const entries = spec.vocab;
  if (!Array.isArray(entries)) fail('Unigram model needs a vocab array of [piece, score]');
  const pieces = new Map<string, { id: number; score: number }>();
  let maxLength = 1;
  let minScore = 0;
  entries.forEach((e, id) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number') fail('Unigram vocab entries must be [piece, score]');
    pieces.set(e[0], { id, score: e[1] });
    maxLength = Math.max(maxLength, e[0].length);
    minScore = Math.min(minScore, e[1]);
  });
  const unkId = typeof spec.unk_id === 'number' ? spec.unk_id : fail('Unigram model needs unk_id');
  // SentencePiece penalises an unknown character below every real piece.
  const unkScore = minScore - 10;
  return (word) => {
    // Viterbi over UTF-16 positions: best[i] = best segmentation score of word[0, i).
    const n = word.length;
    const best = new Float64Array(n + 1).fill(-Infinity);
    const backStart = new Int32Array(n + 1);
    const backId = new Int32Array(n + 1);
    best[0] = 0;
    for (let i = 0; i < n; i++) {
      if (best[i] === -Infinity) continue;
      for (let len = 1; len <= maxLength && i + len <= n; len++) {
        const p = pieces.get(word.slice(i, i + len));
        if (p !== undefined && best[i]! + p.score > best[i + len]!) {
          best[i + len] = best[i]! + p.score;
          backStart[i + len] = i;
          backId[i + len] = p.id;
        }
      }
      // Unknown fallback: one whole code point.
      const c = word.charCodeAt(i);
      const step = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
      if (best[i]! + unkScore > best[i + step]!) {
        best[i + step] = best[i]! + unkScore;
        backStart[i + step] = i;
        backId[i + step] = unkId;
      }
    }
    const ids: number[] = [];
    for (let i = n; i > 0; i = backStart[i]!) ids.push(backId[i]!);
    ids.reverse();
    // Consecutive unknowns collapse into one, as SentencePiece does.
    return ids.filter((id, k) => !(id === unkId && ids[k - 1] === unkId));
  };
}

// ---------- post-processor ----------

interface PostProcessor {
  wrap(ids: number[]): Encoding;
  count: number;
}

function specialIds(spec: Json, name: string): number[] {
  const tokens = spec.special_tokens;
  if (!isObject(tokens) || !isObject(tokens[name])) fail(`post_processor special token ${name} is not defined`);
  const ids = (tokens[name] as Json).ids;
  if (!Array.isArray(ids)) fail(`post_processor special token ${name} has no ids`);
  return ids as number[];
}

function buildPostProcessor(spec: unknown): PostProcessor {
  if (spec === null || spec === undefined) return { wrap: (ids) => ({ ids, typeIds: ids.map(() => 0) }), count: 0 };
  if (!isObject(spec)) fail('post_processor must be an object');
  if (spec.type === 'BertProcessing' || spec.type === 'RobertaProcessing') {
    const cls = (spec.cls as [string, number])[1];
    const sep = (spec.sep as [string, number])[1];
    return { wrap: (ids) => ({ ids: [cls, ...ids, sep], typeIds: [0, ...ids.map(() => 0), 0] }), count: 2 };
  }
  if (spec.type === 'TemplateProcessing') {
    const single = spec.single;
    if (!Array.isArray(single)) fail('TemplateProcessing needs a single template');
    const parts = single.map((item: Json) => {
      if (isObject(item.SpecialToken)) {
        return { special: specialIds(spec, String(item.SpecialToken.id)), typeId: Number(item.SpecialToken.type_id ?? 0) };
      }
      if (isObject(item.Sequence)) return { special: undefined, typeId: Number(item.Sequence.type_id ?? 0) };
      return fail('TemplateProcessing item must be SpecialToken or Sequence');
    });
    const count = parts.reduce((n, p) => n + (p.special?.length ?? 0), 0);
    return {
      count,
      wrap: (ids) => {
        const out: number[] = [];
        const typeIds: number[] = [];
        for (const p of parts) {
          const chunk = p.special ?? ids;
          out.push(...chunk);
          for (let k = 0; k < chunk.length; k++) typeIds.push(p.typeId);
        }
        return { ids: out, typeIds };
      },
    };
  }
  if (spec.type === 'Sequence') {
    const processors = ((spec.processors as unknown[]) ?? []).map(buildPostProcessor).filter((p) => p.count > 0);
    return processors[0] ?? buildPostProcessor(null);
  }
  if (spec.type === 'ByteLevel') return buildPostProcessor(null);
  return fail(`unsupported post_processor type ${String(spec.type)}`);
}

/** Parses tokenizer.json content. Throws `tokenizer.json: …` errors for anything unsupported. */
export function parseTokenizerJson(content: string): Tokenizer {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    fail('not valid JSON');
  }
  if (!isObject(json) || !isObject(json.model)) fail('missing "model"');
  const modelSpec = json.model;
  const model =
    modelSpec.type === 'WordPiece' || (modelSpec.type === undefined && isObject(modelSpec.vocab))
      ? buildWordPiece(modelSpec)
      : modelSpec.type === 'Unigram'
        ? buildUnigram(modelSpec)
        : fail(`unsupported model type ${String(modelSpec.type)} (supported: WordPiece, Unigram)`);
  const normalize = buildNormalizer(json.normalizer);
  const preTokenize = buildPreTokenizer(json.pre_tokenizer);
  const post = buildPostProcessor(json.post_processor);
  return {
    tokenize: (text) => preTokenize([normalize(text)]).flatMap(model),
    wrap: post.wrap,
    specialTokenCount: post.count,
  };
}
