/**
 * @andersmyrmel/vard: pattern-based prompt-injection detection (injection only).
 *
 * Decision: the default ("moderate") preset, whose `safeParse` fails (blocks) on instruction
 * override, role manipulation and prompt-leak patterns at severity >= 0.7 (delimiter and
 * encoding threats are sanitised, not blocked). One change: `maxLength` is raised from 10,000
 * characters to 1 MiB, Bulwark's own content limit; with the default every longer text is
 * "blocked" for its length alone, which would measure text length, not detection.
 * Score: the highest severity of any threat vard finds with every type blocked at threshold 0.
 */
import vard from '@andersmyrmel/vard';
import { installedVersion, type PeerAdapter } from './peer-adapter.js';

const MAX_LENGTH = 1 << 20;

export async function createAdapter(): Promise<PeerAdapter> {
  const decide = vard.moderate().maxLength(MAX_LENGTH);
  const rank = vard
    .strict()
    .threshold(0)
    .maxLength(MAX_LENGTH)
    .block('delimiterInjection')
    .block('encoding');
  return {
    name: '@andersmyrmel/vard',
    version: installedVersion('@andersmyrmel/vard'),
    tasks: {
      injection: (text) => {
        const result = decide.safeParse(text);
        return result.safe ? { detected: false, score: 0 } : { detected: true, score: Math.max(0, ...result.threats.map((t) => t.severity)) };
      },
    },
    rankers: {
      injection: (text) => {
        const result = rank.safeParse(text);
        return result.safe ? 0 : Math.max(0, ...result.threats.map((t) => t.severity));
      },
    },
    notes: [
      'injection: default "moderate" preset (blocks instruction override, role manipulation, prompt leak at severity >= 0.7); maxLength raised from 10,000 to 1 MiB so long texts are judged by their content',
      'no PII, secret or toxicity guard',
    ],
  };
}
