/**
 * Policy suggestions from recent denials in the audit log, for a human to review: actions
 * denied only because nothing allowed them (unknown agents, action types an agent may not
 * take, no matching rule, a host outside a rule's list) and seen often enough become proposed
 * `agents`, `actionRules` and host additions. Denials by built-in checks (dangerous commands,
 * exfiltration, ...) and by quarantine are never turned into allow rules; they are counted in
 * a comment so the reviewer sees them.
 */
import { stringify } from 'yaml';
import type { AuditEntry } from '../audit/audit-chain.js';

export interface SuggestOptions {
  /** Denials needed before a pattern is proposed; default 3. */
  minCount?: number;
  /** Only this tenant; default all. */
  tenant?: string;
}

interface Denial {
  tenant: string;
  agent: string;
  type: string;
  target: string;
  host: string;
  reason: string;
  rule: string;
}

const SUGGESTIBLE = new Set(['UNKNOWN_AGENT', 'ACTION_NOT_PERMITTED', 'DEFAULT_DECISION', 'HOST_NOT_ALLOWED']);

function denialOf(e: AuditEntry): Denial | undefined {
  if (e.kind !== 'action') return undefined;
  const b = e.body as Record<string, unknown>;
  if (b.decision !== 'DENY') return undefined;
  const s = (k: string): string => (typeof b[k] === 'string' ? (b[k] as string) : '');
  return { tenant: s('tenant'), agent: s('agent'), type: s('type'), target: s('target'), host: s('host'), reason: s('reason'), rule: s('rule') };
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function ruleId(...parts: string[]): string {
  const id = `suggested-${parts.filter((p) => p !== '').join('-')}`
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 100);
  return id.replace(/-$/, '');
}

/** YAML (one `kind: Policy` document per tenant, with review comments); "" when nothing qualifies. */
export function suggestPolicy(entries: readonly AuditEntry[], options: SuggestOptions = {}): string {
  const minCount = options.minCount ?? 3;
  const denials = entries.map(denialOf).filter((d): d is Denial => d !== undefined && (options.tenant === undefined || d.tenant === options.tenant));
  const docs: string[] = [];
  for (const [tenant, list] of countBy(denials, (d) => d.tenant)) {
    const agents: Array<Record<string, unknown>> = [];
    const rules: Array<Record<string, unknown>> = [];
    const notes: string[] = [];
    const suggestible = list.filter((d) => SUGGESTIBLE.has(d.reason));
    const skipped = countBy(
      list.filter((d) => !SUGGESTIBLE.has(d.reason)),
      (d) => d.reason,
    );

    for (const [agent, ds] of countBy(suggestible.filter((d) => d.reason === 'UNKNOWN_AGENT'), (d) => d.agent)) {
      if (ds.length < minCount) continue;
      agents.push({ id: agent, owner: 'TODO: who answers for this agent', allowedActions: [...new Set(ds.map((d) => d.type))].sort() });
      notes.push(`agent ${agent}: ${ds.length} actions denied as unregistered`);
    }
    for (const [agent, ds] of countBy(suggestible.filter((d) => d.reason === 'ACTION_NOT_PERMITTED'), (d) => d.agent)) {
      if (ds.length < minCount) continue;
      notes.push(`agent ${agent}: ${ds.length} denials for action types outside allowedActions (${[...new Set(ds.map((d) => d.type))].sort().join(', ')}); add them to its allowedActions if intended`);
    }
    for (const [, ds] of countBy(suggestible.filter((d) => d.reason === 'DEFAULT_DECISION'), (d) => `${d.type}|${d.target}|${d.host}`)) {
      if (ds.length < minCount) continue;
      const first = ds[0] as Denial;
      const rule: Record<string, unknown> = {
        id: ruleId(first.type, first.target || first.host || 'any'),
        appliesTo: [first.type],
        agents: [...new Set(ds.map((d) => d.agent))].sort(),
        target: first.target || '*',
      };
      if (first.host) rule.hosts = { allow: [first.host] };
      rule.decision = 'ALLOW';
      rules.push(rule);
      notes.push(`${rule.id as string}: ${ds.length} actions denied because no rule matched`);
    }
    for (const [, ds] of countBy(suggestible.filter((d) => d.reason === 'HOST_NOT_ALLOWED' && d.host !== ''), (d) => `${d.rule}|${d.host}`)) {
      if (ds.length < minCount) continue;
      const first = ds[0] as Denial;
      notes.push(`rule ${first.rule}: ${ds.length} denials for host ${first.host}; add it to the rule's hosts.allow if it is a legitimate destination`);
    }
    for (const [reason, ds] of skipped) notes.push(`not suggested: ${ds.length} denials with reason ${reason} (built-in checks, quarantine and limits are never relaxed automatically)`);
    if (agents.length === 0 && rules.length === 0 && notes.length === 0) continue;

    const spec: Record<string, unknown> = {};
    if (agents.length > 0) spec.agents = agents;
    if (rules.length > 0) spec.actionRules = rules;
    const doc = { apiVersion: 'bulwark.dev/v1', kind: 'Policy', metadata: { tenant }, spec };
    const header = [`# Suggested from ${list.length} denials of tenant "${tenant}". REVIEW BEFORE APPLYING:`, '# merge the entries you want into the tenant\'s policy file.', ...notes.map((n) => `#   - ${n}`)];
    docs.push(`${header.join('\n')}\n${stringify(doc)}`);
  }
  return docs.join('---\n');
}
