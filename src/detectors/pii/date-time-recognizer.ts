/**
 * DATE_TIME: explicit calendar dates and clock times, the forms a date of birth or an
 * appointment takes: ISO 8601 ("1990-04-07", "2006-04-07 09:00:27"), numeric day/month
 * forms ("2/8/1935", "07.04.2006"), month names ("March 5, 2020", "5th of March 2020",
 * "Mar 2020") and times ("9:30 pm", "14:05").
 *
 * Bare years and weekday names are not reported: they are too common to be useful
 * signals on their own (a named-entity model does better there).
 */
import RE2 from 're2';
import type { PiiCandidate, PiiRecognizerFactory } from './types.js';
import { compileContext } from './context-words.js';
import { forEachMatch, isolated, partOfLongerNumber } from './text-scan.js';

const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)`;
const ORDINAL = String.raw`(?:st|nd|rd|th)?`;
const CLOCK = String.raw`\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?`;
const AMPM = String.raw`(?:\s?[AaPp]\.?[Mm]\.?)`;
const TIME_TAIL = String.raw`(?:,?\s(?:at\s)?${CLOCK}${AMPM}?)?`;

interface DateRule {
  ruleId: string;
  pattern: string;
  score: number;
  valid: (value: string) => boolean;
}

const RULES: readonly DateRule[] = [
  {
    ruleId: 'DATE_TIME_ISO',
    pattern: String.raw`\d{4}-\d{2}-\d{2}(?:[T ]${CLOCK}(?:Z|[+-]\d{2}:?\d{2})?)?`,
    score: 0.6,
    valid: (v) => validYmd(Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10))),
  },
  {
    ruleId: 'DATE_TIME_NUMERIC',
    pattern: String.raw`\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})${TIME_TAIL}|\d{1,2}[.\-]\d{1,2}[.\-]\d{4}${TIME_TAIL}`,
    score: 0.55,
    valid: numericDateValid,
  },
  {
    ruleId: 'DATE_TIME_MONTH_NAME',
    pattern: [
      String.raw`${MONTH}\.?\s\d{1,2}${ORDINAL},?\s\d{4}${TIME_TAIL}`,
      String.raw`\d{1,2}${ORDINAL}\s(?:of\s)?${MONTH}\.?,?\s\d{4}${TIME_TAIL}`,
      String.raw`${MONTH}\.?,?\s\d{4}`,
      String.raw`${MONTH}\.?\s\d{1,2}${ORDINAL}`,
      String.raw`\d{1,2}${ORDINAL}\s(?:of\s)?${MONTH}`,
    ].join('|'),
    score: 0.6,
    valid: monthNameDateValid,
  },
  {
    ruleId: 'DATE_TIME_CLOCK',
    pattern: String.raw`${CLOCK}${AMPM}`,
    score: 0.5,
    valid: clockValid,
  },
  // A bare "14:05" is also a score, a ratio or a Bible verse ("Genesis 2:19"): weak alone.
  {
    ruleId: 'DATE_TIME_CLOCK',
    pattern: String.raw`(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?`,
    score: 0.3,
    valid: clockValid,
  },
];

const DATE_CONTEXT = compileContext([
  'date', 'born', 'birth', 'dob', 'birthday', 'on', 'at', 'since', 'until', 'appointment', 'time', 'when', 'expires', 'expiry',
]);

/** Each rule starts at a word boundary (RE2's ASCII \b; a Unicode check follows in code). */
const SOURCES = RULES.map((r) => String.raw`\b(?:${r.pattern})`);

export const createDateTimeRecognizer: PiiRecognizerFactory = () => {
  const rules = RULES.map((rule, i) => ({ rule, re: new RE2(SOURCES[i] as string, 'g') }));
  return {
    entities: ['DATE_TIME'],
    patterns: SOURCES,
    recognize(text, out, matched) {
      for (const [i, { rule, re }] of rules.entries()) {
        if (!matched(i)) continue;
        forEachMatch(re, text, (m) => {
          const start = m.index;
          const end = start + m[0].length;
          if (!isolated(text, start, end) || partOfLongerNumber(text, start, end)) return;
          if (!rule.valid(m[0])) return;
          out.push(candidate(rule, start, end));
        });
      }
    },
  };
};

function candidate(rule: DateRule, start: number, end: number): PiiCandidate {
  return {
    entityType: 'DATE_TIME',
    ruleId: rule.ruleId,
    start,
    end,
    score: rule.score,
    contextScore: Math.min(1, rule.score + 0.25),
    context: DATE_CONTEXT,
  };
}

function validYmd(year: number, month: number, day: number): boolean {
  return year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month);
}

function daysIn(month: number): number {
  return month === 2 ? 29 : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Day/month order is ambiguous ("2/8/1935"); either reading must be a real date. */
function numericDateValid(value: string): boolean {
  const [a, b] = value.split(/[/.-]/).map(Number) as [number, number];
  const sep = value.match(/[/.-]/g) ?? [];
  if (sep[0] !== sep[1]) return false;
  return (a >= 1 && a <= 12 && b >= 1 && b <= daysIn(a)) || (b >= 1 && b <= 12 && a >= 1 && a <= daysIn(b));
}

/** The day number next to a month name must fit the month ("March 45" is not a date). */
function monthNameDateValid(value: string): boolean {
  const day = /(?:^|\s)(\d{1,2})(?:st|nd|rd|th)?(?=[\s,.]|$)/.exec(value);
  if (!day) return true; // "March 2020"
  const d = Number(day[1]);
  return d >= 1 && d <= 31;
}

function clockValid(value: string): boolean {
  const [h, m] = value.split(':').map((p) => parseInt(p, 10)) as [number, number];
  const twelveHour = /[AaPp]\.?[Mm]/.test(value);
  return m <= 59 && (twelveHour ? h >= 1 && h <= 12 : h <= 23);
}
