import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TensorProto_DataType } from '../../../gen/onnx/onnx_pb.js';
import { analyzeText } from '../../../src/detectors/normalize/analyze-text.js';
import { externalClassifierDetector, ExternalTextClassifier } from '../../../src/detectors/ml/external-model.js';
import { parseTokenizerJson } from '../../../src/detectors/ml/hf-tokenizer.js';
import { encodeOnnxModel, floatTensor, intsAttribute, intAttribute, node, tensorValueInfo } from '../../../src/detectors/ml/onnx-model-builder.js';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', 'please', 'ignore', 'this', 'you', 'are', 'dan', 'now', 'un', '##aff', '##able', '.'];
const id = (t: string): number => VOCAB.indexOf(t);

/** A BERT-style tokenizer.json (WordPiece, BertNormalizer, BertPreTokenizer, [CLS] … [SEP]). */
function wordPieceTokenizerJson(): string {
  return JSON.stringify({
    version: '1.0',
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] } },
    },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])) },
  });
}

/**
 * A tiny sequence classifier: logits = mean over tokens of a per-token embedding [V, 3].
 * "ignore" pushes INJECTION, "dan" pushes JAILBREAK, every other token BENIGN.
 */
function tinyClassifierOnnx(): Uint8Array {
  const embedding = new Float32Array(VOCAB.length * 3);
  VOCAB.forEach((t, i) => {
    const row = t === 'ignore' ? [0, 60, 0] : t === 'dan' ? [0, 0, 60] : [6, 0, 0];
    embedding.set(row, i * 3);
  });
  return encodeOnnxModel({
    name: 'tiny-classifier',
    initializers: [floatTensor('embedding', [VOCAB.length, 3], embedding)],
    inputs: [
      tensorValueInfo('input_ids', TensorProto_DataType.INT64, [1, 'sequence']),
      tensorValueInfo('attention_mask', TensorProto_DataType.INT64, [1, 'sequence']),
    ],
    outputs: [tensorValueInfo('logits', TensorProto_DataType.FLOAT, [1, 3])],
    nodes: [
      node('Gather', ['embedding', 'input_ids'], ['token_vectors'], [intAttribute('axis', 0)]),
      node('ReduceMean', ['token_vectors'], ['logits'], [intsAttribute('axes', [1]), intAttribute('keepdims', 0)]),
    ],
  });
}

let root: string;
let modelDir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bulwark-external-model-'));
  modelDir = join(root, 'tiny');
  mkdirSync(modelDir);
  writeFileSync(join(modelDir, 'model.onnx'), tinyClassifierOnnx());
  writeFileSync(join(modelDir, 'tokenizer.json'), wordPieceTokenizerJson());
  writeFileSync(join(modelDir, 'config.json'), JSON.stringify({ id2label: { 0: 'BENIGN', 1: 'INJECTION', 2: 'JAILBREAK' }, max_position_embeddings: 8 }));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('external model loading contract', () => {
  it('names what is missing: directory, model.onnx, tokenizer.json', async () => {
    await expect(ExternalTextClassifier.load(join(root, 'nope'))).rejects.toThrow(/directory .* does not exist/);
    const noModel = join(root, 'no-model');
    mkdirSync(noModel);
    writeFileSync(join(noModel, 'tokenizer.json'), wordPieceTokenizerJson());
    await expect(ExternalTextClassifier.load(noModel)).rejects.toThrow(/model\.onnx not found/);
    const noTokenizer = join(root, 'no-tokenizer');
    mkdirSync(noTokenizer);
    writeFileSync(join(noTokenizer, 'model.onnx'), tinyClassifierOnnx());
    await expect(ExternalTextClassifier.load(noTokenizer)).rejects.toThrow(/tokenizer\.json not found/);
  });

  it('rejects unsupported tokenizers and broken files clearly', async () => {
    expect(() => parseTokenizerJson('{')).toThrow(/not valid JSON/);
    expect(() => parseTokenizerJson(JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [] } }))).toThrow(/unsupported model type BPE/);
    const badModel = join(root, 'bad-model');
    mkdirSync(badModel);
    writeFileSync(join(badModel, 'model.onnx'), 'not an onnx file');
    writeFileSync(join(badModel, 'tokenizer.json'), wordPieceTokenizerJson());
    await expect(ExternalTextClassifier.load(badModel)).rejects.toThrow(/onnxruntime cannot load/);
  });

  it('loads a generated model + tokenizer + config and scores with its labels', async () => {
    const classifier = await ExternalTextClassifier.load(modelDir);
    try {
      expect(classifier.labels).toEqual(['BENIGN', 'INJECTION', 'JAILBREAK']);
      const injection = await classifier.classify('Please IGNORE this.');
      expect(injection.attackType).toBe('PROMPT_INJECTION');
      expect(injection.attackScore).toBeGreaterThan(0.9);
      const jailbreak = await classifier.classify('you are DAN now');
      expect(jailbreak.attackType).toBe('JAILBREAK');
      const benign = await classifier.classify('hello world');
      expect(benign.attackScore).toBeLessThan(0.1);
      expect(benign.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      // max_position_embeddings 8 → 6 content tokens per window: the attack at the end of a long text is still found.
      const long = `${'hello world '.repeat(40)}ignore`;
      expect((await classifier.classify(long)).attackType).toBe('PROMPT_INJECTION');
    } finally {
      await classifier.dispose();
    }
  });

  it('works as an async detector', async () => {
    const classifier = await ExternalTextClassifier.load(modelDir);
    try {
      const detector = externalClassifierDetector(classifier, 'tiny@1', 0.5);
      const findings = await detector.detectAsync({ text: analyzeText('please ignore this'), direction: 'INPUT' });
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ type: 'PROMPT_INJECTION', ruleId: 'tiny@1', owaspId: 'LLM01', atlasTechnique: 'AML.T0051' });
      expect(findings[0]!.description).not.toContain('ignore');
      expect(await detector.detectAsync({ text: analyzeText('hello world'), direction: 'INPUT' })).toEqual([]);
    } finally {
      await classifier.dispose();
    }
  });
});

describe('tokenizer.json', () => {
  it('WordPiece: lower-cases, splits punctuation, greedy longest match with ## continuation, [CLS]/[SEP]', () => {
    const t = parseTokenizerJson(wordPieceTokenizerJson());
    expect(t.tokenize('Unaffable.')).toEqual([id('un'), id('##aff'), id('##able'), id('.')]);
    expect(t.tokenize('hello zzz')).toEqual([id('hello'), id('[UNK]')]);
    expect(t.wrap([id('hello')]).ids).toEqual([id('[CLS]'), id('hello'), id('[SEP]')]);
    expect(t.specialTokenCount).toBe(2);
  });

  it('Unigram (SentencePiece / DeBERTa-v3 style): Metaspace prefix and the best-scoring segmentation', () => {
    const vocab: Array<[string, number]> = [
      ['[PAD]', 0], ['[CLS]', 0], ['[SEP]', 0], ['[UNK]', 0],
      ['▁ignore', -3], ['▁ig', -4], ['nore', -4], ['▁', -2], ['i', -5], ['g', -5], ['n', -5], ['o', -5], ['r', -5], ['e', -5], ['▁rules', -3],
    ];
    const json = JSON.stringify({
      normalizer: { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { String: '``' }, content: '"' }, { type: 'Precompiled', precompiled_charsmap: '' }] },
      pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }] },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
        special_tokens: { '[CLS]': { id: '[CLS]', ids: [1], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [2], tokens: ['[SEP]'] } },
      },
      model: { type: 'Unigram', unk_id: 3, vocab },
    });
    const t = parseTokenizerJson(json);
    const idOf = (p: string) => vocab.findIndex(([q]) => q === p);
    // "▁ignore" (-3) beats "▁ig" + "nore" (-8) and single letters.
    expect(t.tokenize('ignore rules')).toEqual([idOf('▁ignore'), idOf('▁rules')]);
    // Unknown characters become one [UNK] per run, never a crash.
    expect(t.tokenize('ignore ✓✓')).toEqual([idOf('▁ignore'), idOf('▁'), 3]);
    expect(t.wrap([idOf('▁ignore')]).ids).toEqual([1, idOf('▁ignore'), 2]);
  });
});
