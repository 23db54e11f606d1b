/**
 * Benign text in the languages of the attack data, from the gettext translation catalogues of
 * the Debian packages installed on the build machine (/usr/share/locale/<lang>/LC_MESSAGES/*.mo).
 *
 * Why: in injection.jsonl every row in Hindi, Thai, Arabic, … is an attack (CyberSecEval's
 * machine translations), so a model learns "this script ⇒ attack". Translated user-interface
 * messages are ordinary, benign sentences in those scripts (many of them imperative, like
 * instructions) and break that shortcut. Nothing is copied into the repository; the model card
 * lists every catalogue used with its package and version, so the sample can be rebuilt.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashRange } from '../../src/detectors/ml/feature-hash.js';
import type { LabelledRow } from './labelled-dataset.js';
import { splitOf } from './labelled-dataset.js';

export const GETTEXT_SOURCE = 'debian-gettext-translations';
const LOCALE_ROOT = '/usr/share/locale';

/** The languages of CyberSecEval's multilingual set (locale directory → language). */
const LANGUAGES: Record<string, string> = {
  hi: 'Hindi', ar: 'Arabic', bn: 'Bengali', vi: 'Vietnamese', fr: 'French', it: 'Italian', pt: 'Portuguese',
  ru: 'Russian', es: 'Spanish', tr: 'Turkish', ko: 'Korean', tl: 'Filipino/Tagalog', ja: 'Japanese', th: 'Thai',
  de: 'German', id: 'Indonesian', zh_CN: 'Chinese',
};
const PER_LANGUAGE = 80;

export interface CatalogueUse {
  locale: string;
  file: string;
  package: string;
  strings: number;
}

/** Translations (msgstr) of a compiled gettext catalogue. */
function readMo(path: string): string[] {
  const buf = readFileSync(path);
  if (buf.length < 28) return [];
  const magic = buf.readUInt32LE(0);
  const read = magic === 0x950412de ? (o: number) => buf.readUInt32LE(o) : magic === 0xde120495 ? (o: number) => buf.readUInt32BE(o) : undefined;
  if (read === undefined) return [];
  const count = read(8);
  const translations = read(16);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = read(translations + i * 8);
    const offset = read(translations + i * 8 + 4);
    if (offset + length > buf.length) break;
    // Plural forms are NUL-separated; the first is enough.
    out.push(buf.toString('utf8', offset, offset + length).split('\0')[0]!);
  }
  return out;
}

const FORMAT = /%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[hlLqjzt]*[diouxXeEfgGcspn%]|\{\d*\}|\$\{?\w+\}?|<[^>]{1,20}>|[_&](?=\p{L})/gu;
const LETTER = /\p{L}/u;
const LATIN_ONLY = /^[\p{Script=Latin}\p{N}\p{P}\p{S}\s]*$/u;

function clean(text: string): string {
  return text.replace(FORMAT, '').replace(/\s+/g, ' ').trim();
}

function packageOf(path: string): string {
  try {
    const owner = execFileSync('dpkg', ['-S', path], { encoding: 'utf8' }).split(':')[0]!.trim();
    const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', owner], { encoding: 'utf8' }).trim();
    return `${owner} ${version}`;
  } catch {
    return 'unknown package';
  }
}

/**
 * Up to 80 benign rows per language (1–3 consecutive messages joined, 30–400 characters),
 * chosen by a stable hash. Returns [] when the machine has no catalogues.
 */
export function gettextBenignRows(): { rows: LabelledRow[]; catalogues: CatalogueUse[] } {
  const rows: LabelledRow[] = [];
  const catalogues: CatalogueUse[] = [];
  for (const [locale, language] of Object.entries(LANGUAGES)) {
    const dir = join(LOCALE_ROOT, locale, 'LC_MESSAGES');
    if (!existsSync(dir)) continue;
    const candidates: Array<{ text: string; file: string }> = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.mo') && !f.startsWith('iso_')).sort()) {
      // Catalogues in legacy encodings (e.g. EUC-JP) decode to U+FFFD: skip those messages.
      const messages = readMo(join(dir, file)).map(clean).filter((m) => m.length >= 12 && LETTER.test(m) && !m.includes('\ufffd'));
      // Latin-script languages keep only messages with at least one non-ASCII letter or 4+ words (skips untranslated English).
      for (let i = 0; i < messages.length; i++) {
        const joined = [messages[i]!, messages[i + 1] ?? '', messages[i + 2] ?? ''].slice(0, 1 + (hashRange(messages[i]!, 0, messages[i]!.length, 7) % 3)).join(' ').trim();
        if (joined.length < 30 || joined.length > 400) continue;
        if (!LATIN_ONLY.test(joined) || ['fr', 'it', 'pt', 'es', 'tr', 'tl', 'de', 'id', 'vi'].includes(locale)) candidates.push({ text: joined, file });
      }
    }
    const chosen = candidates
      .map((c) => ({ ...c, key: hashRange(c.text, 0, c.text.length, 0x9e3779b9) }))
      .sort((a, b) => a.key - b.key || a.text.localeCompare(b.text))
      .filter((c, i, all) => i === 0 || c.text !== all[i - 1]!.text)
      .slice(0, PER_LANGUAGE);
    const used = new Map<string, number>();
    for (const c of chosen) {
      used.set(c.file, (used.get(c.file) ?? 0) + 1);
      rows.push({ text: c.text, label: 0, source: GETTEXT_SOURCE, subset: language, meta: { catalogue: `${locale}/${c.file}` }, split: splitOf(c.text) });
    }
    for (const [file, strings] of [...used.entries()].sort()) {
      catalogues.push({ locale, file, package: packageOf(join(dir, file)), strings });
    }
  }
  return { rows, catalogues };
}
