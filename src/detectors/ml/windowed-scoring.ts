/**
 * Scores an analysed text with a linear model: every window of the normalised view (or the
 * original when the normaliser gave none) and of each decoded view (base64/hex/URL runs) is
 * scored on its own; the text's score is the best window's. Training uses the same
 * {@link featureWindows} so that what the model learnt is what inference computes.
 */
import type { AnalyzedText, TextSpan, TextView } from '../types.js';
import type { LinearTextModel } from './linear-text-model.js';
import { linearLogits, sigmoid } from './linear-text-model.js';
import type { FeatureConfig, SparseFeatures } from './text-features.js';
import { featuresOfText } from './text-features.js';
import type { WindowOptions } from './text-windows.js';
import { planWindows } from './text-windows.js';
import { planSegments } from './text-segments.js';

/** Decoded views are scored too, but a text cannot buy more than this many extra windows with them. */
const MAX_DECODED_WINDOWS = 8;

/** One scored unit: its features and where it lies in the ORIGINAL content. */
export interface FeatureWindow {
  features: SparseFeatures;
  /** Span in the original content (UTF-16). */
  span: TextSpan;
  /** True when this window is the whole of the primary view (the finding is about the whole content). */
  whole: boolean;
}

function primaryView(text: AnalyzedText): TextView | undefined {
  return text.views.find((v) => v.kind === 'normalized') ?? text.views[0];
}

/** Feature vectors of every window to score, in a deterministic order (primary view first). */
export function featureWindows(text: AnalyzedText, config: FeatureConfig, options: WindowOptions): FeatureWindow[] {
  const out: FeatureWindow[] = [];
  const primary = primaryView(text);
  if (primary === undefined) {
    out.push({ features: featuresOfText(text.original, config), span: { start: 0, end: text.original.length }, whole: true });
    return out;
  }
  const windows = planWindows(primary.text, options);
  // Segments split at the view's own line breaks: the normaliser keeps them (a whitespace run
  // containing a line break becomes "\n"), so asking the original per space is not needed.
  let segmentedUpTo = 0;
  for (const w of windows) {
    const span = primary.toOriginal(w.start, w.end);
    out.push({
      features: featuresOfText(primary.text.slice(w.start, w.end), config, text.original.slice(span.start, span.end)),
      span,
      whole: windows.length === 1,
    });
    // Segments of the part not already segmented with the previous (overlapping) window.
    const segments = options.segments
      ? planSegments(primary.text, { start: Math.max(w.start, segmentedUpTo), end: w.end })
      : [];
    for (const s of segments) {
      const segmentSpan = primary.toOriginal(s.start, s.end);
      out.push({
        features: featuresOfText(primary.text.slice(s.start, s.end), config, text.original.slice(segmentSpan.start, segmentSpan.end)),
        span: segmentSpan,
        whole: false,
      });
    }
    segmentedUpTo = w.end;
  }
  let decodedBudget = MAX_DECODED_WINDOWS;
  for (const view of text.views) {
    if (view.kind !== 'decoded' || decodedBudget === 0) continue;
    for (const w of planWindows(view.text, options)) {
      if (decodedBudget-- === 0) break;
      out.push({ features: featuresOfText(view.text.slice(w.start, w.end), config), span: view.toOriginal(w.start, w.end), whole: false });
    }
  }
  return out;
}

/** The score of a text: the probabilities of every output at the window with the highest output 0. */
export interface TextScore {
  /** Probability of each model output at the best window. */
  probabilities: number[];
  /** The best window in the original content; empty when it is the whole content. */
  spans: TextSpan[];
  windowCount: number;
}

/** Scores `text` with `model` (max over windows of output 0). */
export function scoreAnalyzedText(model: LinearTextModel, text: AnalyzedText): TextScore {
  const logits = new Float64Array(model.outputs.length);
  let best: number[] = [];
  let bestLogit = -Infinity;
  let bestWindow: FeatureWindow | undefined;
  const windows = featureWindows(text, model.features, model.windows);
  for (const w of windows) {
    linearLogits(model, w.features, logits);
    if (logits[0]! > bestLogit) {
      bestLogit = logits[0]!;
      best = Array.from(logits, sigmoid);
      bestWindow = w;
    }
  }
  const spans = bestWindow === undefined || bestWindow.whole ? [] : [bestWindow.span];
  return { probabilities: best, spans, windowCount: windows.length };
}
