/**
 * Runs a compiled set of pattern rules over the views of one scan and turns the
 * matches into findings. Shared by the injection and toxicity detectors.
 *
 * One RE2.Set pass per view over every rule's prefilter tells which rules can match
 * at all (the common case: few or none); only those rules' full patterns run, to
 * confirm and find spans. Every span is mapped back to the
 * ORIGINAL text through the view's `toOriginal`, so a match in the normalised view or
 * inside a decoded base64 run points at the right place. Matches of one rule in
 * several views (the normalised text and a decoded run, say) become one finding
 * whose spans are merged where they overlap.
 */
import RE2 from 're2';
import type { Finding, SeverityName, TextSpan, TextView, ThreatTypeName } from '../types.js';

/** The compiled RE2.Set type (re2's typings expose it only through the constructor). */
type RE2Set = InstanceType<typeof RE2.Set>;

/** What a finding says about itself; shared by rules and signal groups. */
export interface FindingTemplate {
  id: string;
  type: ThreatTypeName;
  severity: SeverityName;
  confidence: number;
  owaspId: string;
  atlasTechnique: string;
  description: string;
}

/** One compiled pattern rule. */
export interface PatternRule extends FindingTemplate {
  /** The rule's pattern, compiled with the 'g' flag (used only after the set matched). */
  regex: RE2;
  /**
   * What goes into the one-pass RE2.Set: a cheap pattern that must match wherever the
   * full pattern does (or the full pattern itself). See injection-rules.yaml.
   */
  prefilter: string;
  /** A match is dropped when this matches the end of the text just before it. */
  notPrecededBy?: RE2;
  /** Weak rules report only through their group. */
  signalGroup?: string;
}

/** Weak rules that report together, as one finding, when enough of them match. */
export interface SignalGroup extends FindingTemplate {
  /** Distinct member rules that must match for the group to report. */
  minSignals: number;
}

/** Spans kept per finding; a text that repeats an attack 10,000 times needs only a few. */
const MAX_SPANS_PER_RULE = 16;
/** Characters before a match that `notPrecededBy` looks at. */
const PRECEDING_WINDOW = 32;

interface RuleHits {
  spans: TextSpan[];
  /** True when at least one match was in a non-decoded view. */
  inPlainText: boolean;
  encodings: Set<string>;
}

/** A compiled catalogue: one RE2.Set prefilter plus the rules' full patterns. Immutable, shareable. */
export class PatternRuleSet {
  private readonly prefilter: RE2Set | null;
  private readonly groups: ReadonlyMap<string, SignalGroup>;

  constructor(
    /** The compiled rules, in set order (read-only; exposed for self-checks and tests). */
    readonly rules: readonly PatternRule[],
    groups: readonly SignalGroup[] = [],
  ) {
    this.prefilter = rules.length === 0 ? null : new RE2.Set(rules.map((r) => r.prefilter));
    this.groups = new Map(groups.map((g) => [g.id, g]));
  }

  get size(): number {
    return this.rules.length;
  }

  /** Runs every rule over the views the caller selected; returns merged findings. */
  findings(detector: string, views: readonly TextView[]): Finding[] {
    if (this.prefilter === null) return [];
    const hits = new Map<number, RuleHits>();
    for (const view of views) {
      if (view.text.length === 0) continue;
      for (const index of this.prefilter.match(view.text)) {
        const rule = this.rules[index] as PatternRule;
        let ruleHits = hits.get(index);
        const found = collectSpans(rule, view, ruleHits?.spans ?? []);
        if (found.length === 0) continue;
        if (ruleHits === undefined) {
          ruleHits = { spans: found, inPlainText: false, encodings: new Set() };
          hits.set(index, ruleHits);
        } else {
          ruleHits.spans = found;
        }
        if (view.kind === 'decoded') ruleHits.encodings.add(view.encoding ?? 'encoded');
        else ruleHits.inPlainText = true;
      }
    }
    return this.toFindings(detector, hits);
  }

  private toFindings(detector: string, hits: Map<number, RuleHits>): Finding[] {
    const findings: Finding[] = [];
    const groupHits = new Map<string, { rules: number; spans: TextSpan[]; hits: RuleHits[] }>();
    for (const [index, ruleHits] of hits) {
      const rule = this.rules[index] as PatternRule;
      if (rule.signalGroup !== undefined) {
        const g = groupHits.get(rule.signalGroup) ?? { rules: 0, spans: [], hits: [] };
        g.rules++;
        g.spans.push(...ruleHits.spans);
        g.hits.push(ruleHits);
        groupHits.set(rule.signalGroup, g);
        continue;
      }
      findings.push(toFinding(detector, rule, ruleHits));
    }
    for (const [groupId, g] of groupHits) {
      const group = this.groups.get(groupId);
      if (group === undefined || g.rules < group.minSignals) continue;
      const merged: RuleHits = {
        spans: g.spans,
        inPlainText: g.hits.some((h) => h.inPlainText),
        encodings: new Set(g.hits.flatMap((h) => [...h.encodings])),
      };
      findings.push(toFinding(detector, group, merged));
    }
    return findings;
  }
}

/** Adds the rule's matches in `view` to `spans` (original offsets); returns the merged list. */
function collectSpans(rule: PatternRule, view: TextView, spans: TextSpan[]): TextSpan[] {
  const re = rule.regex;
  const text = view.text;
  const found: TextSpan[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (found.length < MAX_SPANS_PER_RULE && (m = re.exec(text)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    if (end === start) re.lastIndex = start + 1; // never loop on an empty match
    if (rule.notPrecededBy !== undefined && start > 0) {
      const before = text.slice(Math.max(0, start - PRECEDING_WINDOW), start);
      if (rule.notPrecededBy.test(before)) continue;
    }
    found.push(view.toOriginal(start, end));
  }
  if (found.length === 0) return [];
  return mergeSpans([...spans, ...found]).slice(0, MAX_SPANS_PER_RULE);
}

/** Sorts spans and merges the ones that overlap or touch. */
export function mergeSpans(spans: readonly TextSpan[]): TextSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TextSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

const ENCODING_NAMES: Record<string, string> = {
  base64: 'base64',
  hex: 'hex',
  url: 'percent',
  binary: 'binary',
  morse: 'Morse',
  'unicode-tags': 'invisible Unicode tag',
};

function toFinding(detector: string, template: FindingTemplate, hits: RuleHits): Finding {
  let description = template.description;
  if (!hits.inPlainText && hits.encodings.size > 0) {
    const names = [...hits.encodings].map((e) => ENCODING_NAMES[e] ?? 'encoded');
    description += ` (found in ${[...new Set(names)].join('/')}-encoded content)`;
  }
  return {
    type: template.type,
    severity: template.severity,
    confidence: template.confidence,
    detector,
    ruleId: template.id,
    spans: mergeSpans(hits.spans).slice(0, MAX_SPANS_PER_RULE),
    owaspId: template.owaspId,
    atlasTechnique: template.atlasTechnique,
    description,
  };
}
