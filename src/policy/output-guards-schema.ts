/**
 * `spec.outputGuards` of a policy document: the shape users write, its validation, and the
 * merge over the built-in default. Kept apart from policy-document-schema.ts, which only
 * delegates the section here.
 *
 * ```yaml
 * outputGuards:
 *   systemPromptLeak: { enabled: true, minMatchedWords: 8 }
 *   canary: { keyEnv: ACME_CANARY_SECRET }      # not set = env BULWARK_CANARY_KEY
 *   exfiltration:
 *     allowedDomains: [example.com, cdn.example.net]   # each covers its subdomains
 *     wellKnownDomains: true                          # + built-in documentation domains
 *     secretAction: BLOCK
 *   bulkDisclosure: { maxEntities: { DEFAULT: 10, CREDIT_CARD: 5 }, maxSecrets: 3, maxRecordRows: 5, action: BLOCK }
 *   hijack: { action: BLOCK }
 *   unsafeCode: { enabled: true }
 *   maliciousUrls: { enabled: true }
 * ```
 */
import type { ActionName } from '../detectors/types.js';
import { DEFAULT_OUTPUT_GUARDS } from './default-policy.js';
import type { OutputGuardsConfig } from './types.js';
import type { IssueCollector } from './validation-issues.js';
import type { FieldPath } from './yaml-locations.js';

const ACTIONS: readonly ActionName[] = ['ALLOW', 'WARN', 'REDACT', 'BLOCK'];
const ENV_NAME = { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, hint: 'an environment variable name' };
/** A DNS name in lower case (IDNs in their xn-- form); "*." in front is accepted and means the same. */
const DOMAIN = {
  pattern: /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/,
  hint: 'a lower-case domain name such as example.com (it covers its subdomains)',
};
const ENTITY_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** What a user wrote under `spec.outputGuards` (all optional). */
export interface OutputGuardsInput {
  systemPromptLeak?: { enabled?: boolean; minMatchedWords?: number };
  canary?: { keyEnv?: string };
  exfiltration?: { enabled?: boolean; allowedDomains?: string[]; wellKnownDomains?: boolean; secretAction?: ActionName };
  bulkDisclosure?: {
    enabled?: boolean;
    maxEntities?: Record<string, number>;
    maxSecrets?: number;
    maxRecordRows?: number;
    action?: ActionName;
  };
  hijack?: { enabled?: boolean; action?: ActionName };
  unsafeCode?: { enabled?: boolean };
  maliciousUrls?: { enabled?: boolean };
}

type Fields = Record<string, unknown>;

/** Validates `spec.outputGuards`; problems go to `issues`. */
export function validateOutputGuards(value: unknown, path: FieldPath, issues: IssueCollector): OutputGuardsInput {
  const out: OutputGuardsInput = {};
  const section = issues.object(value, path, [
    'systemPromptLeak',
    'canary',
    'exfiltration',
    'bulkDisclosure',
    'hijack',
    'unsafeCode',
    'maliciousUrls',
  ]);
  if (!section) return out;
  const sub = (key: string, allowed: readonly string[]): Fields | undefined =>
    section[key] === undefined ? undefined : issues.object(section[key], [...path, key], allowed);
  const enabled = (fields: Fields, key: string): boolean | undefined =>
    fields.enabled === undefined ? undefined : issues.boolean(fields.enabled, [...path, key, 'enabled']);
  const action = (fields: Fields, key: string, field: string): ActionName | undefined =>
    fields[field] === undefined ? undefined : issues.oneOf(fields[field], [...path, key, field], ACTIONS);
  const count = (fields: Fields, key: string, field: string, min: number): number | undefined =>
    fields[field] === undefined ? undefined : issues.number(fields[field], [...path, key, field], { min, max: 100_000, integer: true });

  const leak = sub('systemPromptLeak', ['enabled', 'minMatchedWords']);
  if (leak) out.systemPromptLeak = defined({ enabled: enabled(leak, 'systemPromptLeak'), minMatchedWords: count(leak, 'systemPromptLeak', 'minMatchedWords', 3) });

  const canary = sub('canary', ['keyEnv']);
  if (canary) out.canary = defined({ keyEnv: canary.keyEnv === undefined ? undefined : issues.string(canary.keyEnv, [...path, 'canary', 'keyEnv'], ENV_NAME) });

  const exfil = sub('exfiltration', ['enabled', 'allowedDomains', 'wellKnownDomains', 'secretAction']);
  if (exfil) {
    const domains =
      exfil.allowedDomains === undefined
        ? undefined
        : issues.list(exfil.allowedDomains, [...path, 'exfiltration', 'allowedDomains'], (v, p) => issues.string(v, p, DOMAIN), true);
    out.exfiltration = defined({
      enabled: enabled(exfil, 'exfiltration'),
      allowedDomains: domains?.map((d) => d.replace(/^\*\./, '')),
      wellKnownDomains: exfil.wellKnownDomains === undefined ? undefined : issues.boolean(exfil.wellKnownDomains, [...path, 'exfiltration', 'wellKnownDomains']),
      secretAction: action(exfil, 'exfiltration', 'secretAction'),
    });
  }

  const bulk = sub('bulkDisclosure', ['enabled', 'maxEntities', 'maxSecrets', 'maxRecordRows', 'action']);
  if (bulk) {
    let maxEntities: Record<string, number> | undefined;
    if (bulk.maxEntities !== undefined) {
      maxEntities = {};
      for (const [entity, n] of Object.entries(issues.anyKeyObject(bulk.maxEntities, [...path, 'bulkDisclosure', 'maxEntities']) ?? {})) {
        const entityPath = [...path, 'bulkDisclosure', 'maxEntities', entity];
        if (!ENTITY_KEY.test(entity)) issues.add(entityPath, 'must be a PII entity name such as EMAIL_ADDRESS, or DEFAULT', 'key');
        const limit = issues.number(n, entityPath, { min: 0, max: 100_000, integer: true });
        if (limit !== undefined) maxEntities[entity] = limit;
      }
    }
    out.bulkDisclosure = defined({
      enabled: enabled(bulk, 'bulkDisclosure'),
      maxEntities,
      maxSecrets: count(bulk, 'bulkDisclosure', 'maxSecrets', 0),
      maxRecordRows: count(bulk, 'bulkDisclosure', 'maxRecordRows', 1),
      action: action(bulk, 'bulkDisclosure', 'action'),
    });
  }

  const hijack = sub('hijack', ['enabled', 'action']);
  if (hijack) out.hijack = defined({ enabled: enabled(hijack, 'hijack'), action: action(hijack, 'hijack', 'action') });
  const code = sub('unsafeCode', ['enabled']);
  if (code) out.unsafeCode = defined({ enabled: enabled(code, 'unsafeCode') });
  const urls = sub('maliciousUrls', ['enabled']);
  if (urls) out.maliciousUrls = defined({ enabled: enabled(urls, 'maliciousUrls') });
  return out;
}

/** The written section merged over the built-in default (every field present). */
export function mergeOutputGuards(input: OutputGuardsInput | undefined): OutputGuardsConfig {
  const d = DEFAULT_OUTPUT_GUARDS;
  return {
    systemPromptLeak: {
      enabled: input?.systemPromptLeak?.enabled ?? d.systemPromptLeak.enabled,
      minMatchedWords: input?.systemPromptLeak?.minMatchedWords ?? d.systemPromptLeak.minMatchedWords,
    },
    exfiltration: {
      enabled: input?.exfiltration?.enabled ?? d.exfiltration.enabled,
      allowedDomains: [...new Set(input?.exfiltration?.allowedDomains ?? d.exfiltration.allowedDomains)],
      wellKnownDomains: input?.exfiltration?.wellKnownDomains ?? d.exfiltration.wellKnownDomains,
      secretAction: input?.exfiltration?.secretAction ?? d.exfiltration.secretAction,
    },
    bulkDisclosure: {
      enabled: input?.bulkDisclosure?.enabled ?? d.bulkDisclosure.enabled,
      maxEntities: { ...d.bulkDisclosure.maxEntities, ...input?.bulkDisclosure?.maxEntities },
      maxSecrets: input?.bulkDisclosure?.maxSecrets ?? d.bulkDisclosure.maxSecrets,
      maxRecordRows: input?.bulkDisclosure?.maxRecordRows ?? d.bulkDisclosure.maxRecordRows,
      action: input?.bulkDisclosure?.action ?? d.bulkDisclosure.action,
    },
    hijack: {
      enabled: input?.hijack?.enabled ?? d.hijack.enabled,
      action: input?.hijack?.action ?? d.hijack.action,
    },
    unsafeCode: { enabled: input?.unsafeCode?.enabled ?? d.unsafeCode.enabled },
    maliciousUrls: { enabled: input?.maliciousUrls?.enabled ?? d.maliciousUrls.enabled },
  };
}

/** Drops undefined fields (an invalid value was reported; the default applies). */
function defined<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
