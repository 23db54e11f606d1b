/**
 * Feature extraction shared by training (bench/train) and inference (the detectors).
 * The same function must run on both sides: a trained model is only valid for the exact
 * features it was trained on, so {@link FEATURE_VERSION} is stored in the model and checked
 * at load time.
 *
 * Features of one text (one window):
 * - hashed character n-grams (default 3–5) over the canonical text, sublinear counts, L2-normalised;
 * - hashed word uni- and bi-grams, sublinear counts, L2-normalised;
 * - {@link STRUCTURAL_FEATURE_NAMES} cues in [0, 1], at fixed indices after the hash buckets.
 */
import { combineHashes, FNV_OFFSET, fnvStep, hashRange, mix32 } from './feature-hash.js';
import type { WordStats } from './structural-features.js';
import { computeStructuralFeatures, SECOND_PERSON_WORDS, STRUCTURAL_FEATURE_COUNT } from './structural-features.js';

/** Bump whenever the meaning of any feature changes; models record the version they were trained with. */
export const FEATURE_VERSION = 1;

/** How features are computed; stored in the model file. */
export interface FeatureConfig {
  featureVersion: number;
  /** 2^hashBits buckets are shared by the character and word n-grams. */
  hashBits: number;
  charNgramMin: number;
  charNgramMax: number;
  /** 1 = words only, 2 = words and word pairs. */
  wordNgramMax: number;
  /** Scale of the (unit-length) character and word groups. */
  charWeight: number;
  wordWeight: number;
  structural: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  featureVersion: FEATURE_VERSION,
  hashBits: 17,
  charNgramMin: 3,
  charNgramMax: 5,
  wordNgramMax: 2,
  charWeight: 1,
  wordWeight: 1,
  structural: true,
};

/** A sparse feature vector: parallel index / value arrays (an index may repeat; values then add up). */
export interface SparseFeatures {
  indices: Int32Array;
  values: Float32Array;
}

const CHAR_SEED = 0x5bd1e995;
const WORD_SEED = 0x27d4eb2f;
const BIGRAM_SEED = 0x165667b1;
const MAX_WORD_LENGTH = 40;

/** Total input dimension of a model using `config`. */
export function featureDimension(config: FeatureConfig): number {
  return 2 ** config.hashBits + (config.structural ? STRUCTURAL_FEATURE_COUNT : 0);
}

/** Throws when `config` was written by an incompatible feature extractor. */
export function assertFeatureConfig(config: FeatureConfig): void {
  if (config.featureVersion !== FEATURE_VERSION) {
    throw new Error(`model feature version ${config.featureVersion} is not supported (expected ${FEATURE_VERSION})`);
  }
  if (!Number.isInteger(config.hashBits) || config.hashBits < 8 || config.hashBits > 24) {
    throw new Error(`model hashBits ${config.hashBits} out of range 8..24`);
  }
  if (!(config.charNgramMin >= 1 && config.charNgramMax >= config.charNgramMin && config.charNgramMax <= 8)) {
    throw new Error('model character n-gram range is invalid');
  }
}

const INVISIBLE_CHARS = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\u{e0000}-\u{e007f}]/gu;
// Only runs that change something: a single space is left alone (replacing it costs time for nothing).
const WHITESPACE_RUN = /\s{2,}|[^\S ]/g;

/**
 * The text the n-grams are computed on: NFKC, lower case, invisible characters removed,
 * whitespace collapsed. Applied on top of the normaliser's view so that training (which may
 * run with a simpler normaliser) and inference see the same canonical form for clean text.
 */
export function canonicalizeForFeatures(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(INVISIBLE_CHARS, '').replace(WHITESPACE_RUN, ' ').trim();
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’_]*/gu;

/**
 * Counting table for hashed buckets: a small open-addressing hash table (bucket id → count)
 * that stays in the CPU cache, unlike a dense array over all 2^hashBits buckets. Reset after
 * each group by clearing only the slots used. Detectors are synchronous and a worker thread
 * runs one at a time, so one module-level table is safe.
 */
/** 1 + ln(c) for small counts (the sublinear term-frequency weight), precomputed. */
const SUBLINEAR = Float64Array.from({ length: 256 }, (_, c) => (c === 0 ? 0 : 1 + Math.log(c)));
function sublinear(c: number): number {
  return c < 256 ? SUBLINEAR[c]! : 1 + Math.log(c);
}

class BucketCounter {
  private keys = new Int32Array(8192).fill(-1);
  private counts = new Uint16Array(8192);
  private used = new Int32Array(8192);
  private size = 0;
  private shift = 32 - 13;

  add(bucket: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const mask = keys.length - 1;
    let slot = Math.imul(bucket, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[slot]!;
      if (k === bucket) {
        const counts = this.counts;
        if (counts[slot]! < 0xffff) counts[slot]!++;
        return;
      }
      if (k === -1) {
        keys[slot] = bucket;
        this.counts[slot] = 1;
        this.used[this.size++] = slot;
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Emits the counted buckets with sublinear, L2-normalised weights scaled by `scale`, then clears. */
  flush(scale: number, out: FeatureBuffer): number {
    let norm = 0;
    for (let i = 0; i < this.size; i++) {
      const v = sublinear(this.counts[this.used[i]!]!);
      norm += v * v;
    }
    const k = norm > 0 ? scale / Math.sqrt(norm) : 0;
    let maxCount = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = this.used[i]!;
      const c = this.counts[slot]!;
      if (c > maxCount) maxCount = c;
      if (k !== 0) out.push(this.keys[slot]!, sublinear(c) * k);
      this.keys[slot] = -1;
    }
    this.size = 0;
    return maxCount;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldUsed = this.used.subarray(0, this.size);
    const capacity = oldKeys.length * 2;
    this.keys = new Int32Array(capacity).fill(-1);
    this.counts = new Uint16Array(capacity);
    this.used = new Int32Array(capacity);
    this.shift--;
    const n = this.size;
    this.size = 0;
    for (let i = 0; i < n; i++) {
      const slot = oldUsed[i]!;
      const bucket = oldKeys[slot]!;
      for (let c = 0; c < oldCounts[slot]!; c++) this.add(bucket);
    }
  }
}

/** Growable parallel index/value buffers, reused across calls. */
class FeatureBuffer {
  indices = new Int32Array(8192);
  values = new Float32Array(8192);
  length = 0;

  push(index: number, value: number): void {
    if (this.length === this.indices.length) {
      const i = new Int32Array(this.length * 2);
      i.set(this.indices);
      const v = new Float32Array(this.length * 2);
      v.set(this.values);
      this.indices = i;
      this.values = v;
    }
    this.indices[this.length] = index;
    this.values[this.length++] = value;
  }
}

const counter = new BucketCounter();
let codeBuffer = new Uint16Array(4096);
function codeUnits(length: number): Uint16Array {
  if (codeBuffer.length < length) codeBuffer = new Uint16Array(Math.max(length, codeBuffer.length * 2));
  return codeBuffer;
}
const buffer = new FeatureBuffer();
const structural = new Float64Array(STRUCTURAL_FEATURE_COUNT);

/**
 * Features of one text. `canonical` must come from {@link canonicalizeForFeatures};
 * `cased` is the same span before lower-casing (for the structural cues), NFKC-normalised.
 * Character and word buckets share the hash space (different seeds); when they collide the
 * index appears twice in the vector, which a dot product (and ONNX's Gather + ReduceSum)
 * simply sums.
 */
export function extractFeatures(canonical: string, cased: string, config: FeatureConfig): SparseFeatures {
  const mask = 2 ** config.hashBits - 1;
  buffer.length = 0;

  // Character n-grams over " text " so that word starts and ends are visible. The code units
  // are copied once into a reused typed array: each is read up to charNgramMax times.
  const length = canonical.length + 2;
  const codes = codeUnits(length);
  codes[0] = 32;
  for (let i = 0; i < canonical.length; i++) codes[i + 1] = canonical.charCodeAt(i);
  codes[length - 1] = 32;
  const { charNgramMin: nMin, charNgramMax: nMax } = config;
  const seeded = (FNV_OFFSET ^ CHAR_SEED) >>> 0;
  for (let i = 0; i + nMin <= length; i++) {
    let h = seeded;
    const limit = Math.min(nMax, length - i);
    for (let n = 1; n <= limit; n++) {
      h = fnvStep(h, codes[i + n - 1]!);
      if (n >= nMin) counter.add(mix32(h ^ n) & mask);
    }
  }
  counter.flush(config.charWeight, buffer);

  // Words and word pairs; the word statistics also feed the structural cues.
  const words: WordStats = { count: 0, secondPerson: 0, maxFrequency: 0 };
  WORD.lastIndex = 0;
  let previous = -1;
  for (let m = WORD.exec(canonical); m !== null; m = WORD.exec(canonical)) {
    const end = Math.min(m.index + m[0].length, m.index + MAX_WORD_LENGTH);
    const h = hashRange(canonical, m.index, end, WORD_SEED);
    words.count++;
    if (SECOND_PERSON_WORDS.has(m[0])) words.secondPerson++;
    counter.add(h & mask);
    if (config.wordNgramMax >= 2 && previous !== -1) counter.add(combineHashes(previous, h ^ BIGRAM_SEED) & mask);
    previous = h;
  }
  // With bigrams in the same table the max count is still dominated by the most repeated word.
  words.maxFrequency = counter.flush(config.wordWeight, buffer);

  if (config.structural) {
    computeStructuralFeatures(cased, canonical, words, structural, 0);
    for (let i = 0; i < STRUCTURAL_FEATURE_COUNT; i++) {
      if (structural[i] !== 0) buffer.push(mask + 1 + i, structural[i]!);
    }
  }
  return { indices: buffer.indices.slice(0, buffer.length), values: buffer.values.slice(0, buffer.length) };
}

/**
 * Features of a slice of text (canonicalisation included): what training and inference both
 * call. `layout` is the same passage as the detector's input had it — with case and line
 * breaks — for the structural cues (role tags at line starts, tables, upper-case ratio); the
 * normaliser's view has neither. Defaults to `text`.
 */
export function featuresOfText(text: string, config: FeatureConfig, layout: string = text): SparseFeatures {
  return extractFeatures(canonicalizeForFeatures(text), layout.normalize('NFKC'), config);
}
