/**
 * The contract of a peer guard's adapter: how one open-source guard answers each task of the
 * harness. An adapter maps the guard's own result onto a yes/no decision, a ranking score in
 * [0, 1] and (for PII and secrets) typed spans, using the guard's documented public API and its
 * default configuration unless a note says otherwise. Adapters run in a child process
 * (peer-child.ts) with the network switched off.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type PeerTask = 'injection' | 'pii' | 'secrets' | 'toxicity';

export const PEER_TASKS: readonly PeerTask[] = ['injection', 'pii', 'secrets', 'toxicity'];

/** A span in UTF-16 units of the input (the child converts to code points). */
export interface PeerSpan {
  type: string;
  start: number;
  end: number;
}

export interface PeerPrediction {
  detected: boolean;
  /** Higher = more likely a threat; 0 when the guard saw nothing. */
  score: number;
  /** PII / secrets only. */
  spans?: PeerSpan[];
}

export type PeerCheck = (text: string) => PeerPrediction | Promise<PeerPrediction>;

export interface PeerAdapter {
  /** npm package name. */
  readonly name: string;
  /** Installed version (from its package.json). */
  readonly version: string;
  /** What the adapter calls per task; tasks the guard does not offer are absent. */
  readonly tasks: Partial<Record<PeerTask, PeerCheck>>;
  /**
   * A finer ranking score where the guard's decision call does not expose one (e.g. a second
   * configuration with every threshold at 0). Called outside the timed region; when absent the
   * prediction's own score ranks.
   */
  readonly rankers?: Partial<Record<PeerTask, (text: string) => number | Promise<number>>>;
  /** How each task is mapped, and which guards were skipped and why. */
  readonly notes: readonly string[];
}

/** A peer in the registry: its npm package, the tasks its adapter offers, and the adapter. */
export interface PeerEntry {
  readonly packageName: string;
  readonly tasks: readonly PeerTask[];
  /** Loaded lazily, in the child process only: a guard's import can have side effects. */
  readonly load: () => Promise<{ createAdapter(): Promise<PeerAdapter> }>;
}

/** Every compared guard, by short name. Adding one = an adapter file + a line here. */
export const PEERS: Readonly<Record<string, PeerEntry>> = {
  vard: { packageName: '@andersmyrmel/vard', tasks: ['injection'], load: () => import('./vard.js') },
  'hai-guardrails': { packageName: '@presidio-dev/hai-guardrails', tasks: ['injection', 'pii', 'secrets'], load: () => import('./hai-guardrails.js') },
  'llm-guard': { packageName: 'llm-guard', tasks: ['injection', 'pii', 'toxicity'], load: () => import('./llm-guard.js') },
  llm_guardrail: { packageName: 'llm_guardrail', tasks: ['injection'], load: () => import('./llm-guardrail.js') },
};

export const PEER_NAMES: readonly string[] = Object.keys(PEERS);

/** The installed version of a package, read from node_modules (its "exports" may hide package.json). */
export function installedVersion(packageName: string): string {
  const path = join(dirname(fileURLToPath(import.meta.url)), '../../../node_modules', packageName, 'package.json');
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}
