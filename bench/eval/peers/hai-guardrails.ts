/**
 * @presidio-dev/hai-guardrails: its local (non-LLM) guards.
 *
 * - injection: `injectionGuard` and `leakageGuard` in "pattern" mode (the README's prompt-attack
 *   guards), detected when either fails; score = the higher of their scores.
 * - pii: `piiGuard` in redact mode; spans recovered from the redacted text (redacted-spans.ts).
 * - secrets: `secretGuard` in redact mode (pattern + entropy), spans the same way.
 * Skipped: the "heuristic" mode of both guards (the published 1.12.0 bundle cannot start it:
 * its bundled piscina hard-codes the build machine's path and the worker file name is wrong,
 * so its threads fail to load — see installBrokenWorkerGuard), the "language-model" mode and
 * every LLM-based guard (toxic, hate speech, bias, adult content, copyright, profanity): they
 * need a model endpoint, which an offline comparison does not have.
 */
import { installedVersion, type PeerAdapter, type PeerPrediction } from './peer-adapter.js';
import { spansFromRedaction } from './redacted-spans.js';

interface GuardResultLike {
  passed: boolean;
  modifiedMessage?: { content: string };
  additionalFields?: { score?: unknown };
}

type GuardLike = (messages: Array<{ role: string; content: string }>) => GuardResultLike[] | Promise<GuardResultLike[]>;

let brokenWorkerErrors = 0;

/**
 * Importing the package constructs its heuristic tactics at module load; each starts piscina
 * threads that fail with ERR_MODULE_NOT_FOUND and surface as uncaught exceptions. Those (and
 * only those) are counted and ignored in this child process; anything else still ends it.
 */
function installBrokenWorkerGuard(): void {
  const isBrokenWorker = (err: unknown): boolean => {
    const e = err as { code?: string; message?: string; url?: string };
    return e?.code === 'ERR_MODULE_NOT_FOUND' && /piscina|heuristic\.worker/.test(`${e.message ?? ''} ${e.url ?? ''}`);
  };
  process.on('uncaughtException', (err) => {
    if (isBrokenWorker(err)) {
      brokenWorkerErrors++;
      return;
    }
    process.stderr.write(`hai-guardrails child: uncaught ${(err as Error)?.name ?? typeof err}\n`);
    process.exit(70);
  });
}

const PII_TYPES: Readonly<Record<string, string>> = {
  EMAIL: 'EMAIL_ADDRESS',
  PHONE: 'PHONE_NUMBER',
  SSN: 'US_SSN',
  'CREDIT-CARD': 'CREDIT_CARD',
  'IP-ADDRESS': 'IP_ADDRESS',
};

const PLACEHOLDER = /\[REDACTED-([A-Z0-9-]+)\]/g;

function scoreOf(r: GuardResultLike | undefined): number {
  const s = r?.additionalFields?.score;
  return typeof s === 'number' && Number.isFinite(s) ? s : r && !r.passed ? 1 : 0;
}

async function first(guard: GuardLike, text: string): Promise<GuardResultLike | undefined> {
  return (await guard([{ role: 'user', content: text }]))[0];
}

/** A redacting guard: detected when it fails or changes the text; spans from the redaction. */
async function redaction(guard: GuardLike, text: string, type: (name: string) => string): Promise<PeerPrediction> {
  const r = await first(guard, text);
  const redacted = r?.modifiedMessage?.content;
  const changed = redacted !== undefined && redacted !== text;
  const detected = (r !== undefined && !r.passed) || changed;
  return { detected, score: detected ? 1 : 0, spans: changed ? spansFromRedaction(text, redacted, { pattern: PLACEHOLDER, type }) : [] };
}

export async function createAdapter(): Promise<PeerAdapter> {
  installBrokenWorkerGuard();
  const hai = await import('@presidio-dev/hai-guardrails');
  const injection = hai.injectionGuard({ roles: ['user'] }, { mode: 'pattern', threshold: 0.7 }) as unknown as GuardLike;
  const leakage = hai.leakageGuard({ roles: ['user'] }, { mode: 'pattern', threshold: 0.7 }) as unknown as GuardLike;
  const pii = hai.piiGuard({ selection: hai.SelectionType.All, mode: 'redact' }) as unknown as GuardLike;
  const secret = hai.secretGuard({ selection: hai.SelectionType.All, mode: 'redact' }) as unknown as GuardLike;
  return {
    name: '@presidio-dev/hai-guardrails',
    version: installedVersion('@presidio-dev/hai-guardrails'),
    tasks: {
      injection: async (text) => {
        const [a, b] = await Promise.all([first(injection, text), first(leakage, text)]);
        const detected = (a !== undefined && !a.passed) || (b !== undefined && !b.passed);
        return { detected, score: Math.max(scoreOf(a), scoreOf(b)) };
      },
      pii: (text) => redaction(pii, text, (name) => PII_TYPES[name] ?? name),
      secrets: (text) => redaction(secret, text, () => 'SECRET'),
    },
    get notes() {
      return [
        'injection: injectionGuard + leakageGuard, mode "pattern" (threshold 0.7; pattern scores are 0 or 1)',
        'pii: piiGuard (redact mode); spans recovered from the redacted text',
        'secrets: secretGuard (redact mode); spans recovered from the redacted text',
        'skipped: "heuristic" mode (the published bundle cannot start its worker threads: bundled piscina hard-codes the build machine\'s path)' +
          (brokenWorkerErrors > 0 ? ` (${brokenWorkerErrors} such thread failures ignored)` : '') +
          ', "language-model" mode and the LLM-based guards (toxic, hate speech, bias, adult content, copyright, profanity), which need a model endpoint',
      ];
    },
  };
}
