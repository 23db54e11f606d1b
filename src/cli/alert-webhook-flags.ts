/**
 * `bulwark sidecar` alert flags (webhook alerts, src/events/webhooks/). Named `alert-*` so
 * they are not taken for `bulwark control --webhook-*`, the Kubernetes admission webhook.
 *
 *   --alerts-config FILE      AlertDestinations YAML/JSON (a ConfigMap), BULWARK_ALERTS_CONFIG
 *   --alert-webhook SPEC      one destination inline, repeatable:
 *                             "url=https://…,format=slack,secret-env=NAME,min-severity=HIGH"
 *   --alerts-dir DIR          the alerts' durable outbox, BULWARK_ALERTS_DIR
 *
 * Secrets are never taken from the command line (it shows in `ps` and in pod specs): a spec
 * names an environment variable or a file (secret-env, secret-file; url-env, url-file for
 * Slack/Teams URLs, which carry their own token).
 */
import { join } from 'node:path';
import { AlertConfigError, compileDestinations, type DestinationInput } from '../events/webhooks/alert-destination-config.js';
import type { AlertDestination } from '../events/webhooks/alert-destination.js';
import { loadAlertsConfigFile } from '../events/webhooks/alerts-config-file.js';
import { stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';
import { defaultDataDir } from './sidecar-control-plane-flags.js';

export const ALERT_WEBHOOK_FLAGS = {
  'alerts-config': { type: 'string' },
  'alert-webhook': { type: 'string', multiple: true },
  'alerts-dir': { type: 'string' },
} as const;

export const ALERT_WEBHOOK_HELP = `
Webhook alerts (threats at or above a severity, denied agent actions; docs/alerts.md):
  --alerts-config FILE           AlertDestinations file, YAML or JSON (BULWARK_ALERTS_CONFIG)
  --alert-webhook SPEC           one more destination, repeatable; SPEC is comma-separated
                                 key=value: url= (or url-env=VAR, url-file=PATH), format=
                                 json|slack|teams, secret-env=VAR or secret-file=PATH (HMAC
                                 key), min-severity=LOW|MEDIUM|HIGH|CRITICAL (default HIGH),
                                 name=. Secrets never go on the command line.
  --alerts-dir DIR               alerts waiting for delivery, kept across restarts
                                 (BULWARK_ALERTS_DIR; default <data dir>/alerts)
`;

/** What the sidecar needs to start alerts. */
export interface AlertsConfig {
  destinations: AlertDestination[];
  dir: string;
}

const SPEC_KEYS = ['name', 'format', 'url', 'url-env', 'url-file', 'secret-env', 'secret-file', 'min-severity'] as const;
type SpecKey = (typeof SPEC_KEYS)[number];

/**
 * "key=value,key=value" → user-form destination. A value runs to the next ",<known key>=", so
 * a URL may itself contain commas. A bare URL is short for url=URL.
 */
export function parseWebhookSpec(spec: string, source: string): DestinationInput {
  const text = /^https?:\/\//i.test(spec) ? `url=${spec}` : spec;
  if (/(?:^|,)secret=/.test(text)) throw new UsageError(`${source}: a secret never goes on the command line; use secret-env=VAR or secret-file=PATH`);
  // The keys of SPEC_KEYS, literally (patterns are never built at run time).
  const marks = [...text.matchAll(/(?:^|,)(name|format|url|url-env|url-file|secret-env|secret-file|min-severity)=/g)];
  if (marks.length === 0 || marks[0]!.index !== 0) throw new UsageError(`${source}: expected key=value pairs with keys ${SPEC_KEYS.join(', ')}`);
  const values = new Map<SpecKey, string>();
  marks.forEach((m, i) => {
    const key = m[1] as SpecKey;
    const end = marks[i + 1]?.index ?? text.length;
    if (values.has(key)) throw new UsageError(`${source}: ${key} given twice`);
    values.set(key, text.slice(m.index + m[0].length, end));
  });
  const ref = (value: string | undefined, envValue: string | undefined, fileValue: string | undefined, what: string) => {
    const given = [value, envValue, fileValue].filter((v) => v !== undefined).length;
    if (given > 1) throw new UsageError(`${source}: give one of ${what}, ${what}-env, ${what}-file`);
    return envValue !== undefined ? { env: envValue } : fileValue !== undefined ? { file: fileValue } : value;
  };
  const input: DestinationInput = {};
  const url = ref(values.get('url'), values.get('url-env'), values.get('url-file'), 'url');
  if (url !== undefined) input.url = url;
  const secret = ref(undefined, values.get('secret-env'), values.get('secret-file'), 'secret');
  if (secret !== undefined) input.secret = secret as { env: string } | { file: string };
  const name = values.get('name');
  if (name !== undefined) input.name = name;
  const format = values.get('format');
  if (format !== undefined) input.format = format;
  const minSeverity = values.get('min-severity');
  if (minSeverity !== undefined) input.minSeverity = minSeverity;
  return input;
}

function specsOf(flags: ParsedFlags): string[] {
  const v = (flags.values as Record<string, unknown>)['alert-webhook'];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : typeof v === 'string' ? [v] : [];
}

/** The alert configuration, or undefined when no destination is configured. */
export function alertsConfig(flags: ParsedFlags, env: NodeJS.ProcessEnv): AlertsConfig | undefined {
  const file = stringFlag(flags, 'alerts-config') ?? (env.BULWARK_ALERTS_CONFIG || undefined);
  const specs = specsOf(flags);
  const dirFlag = stringFlag(flags, 'alerts-dir') ?? (env.BULWARK_ALERTS_DIR || undefined);
  if (!file && specs.length === 0) {
    if (stringFlag(flags, 'alerts-dir') !== undefined) throw new UsageError('--alerts-dir needs --alerts-config or --alert-webhook');
    return undefined;
  }
  try {
    const fromFile = file ? compileDestinations(loadAlertsConfigFile(file), `${file} spec.destinations`, { env }) : [];
    const fromFlags = compileDestinations(
      specs.map((s, i) => ({ name: `webhook-${i + 1}`, ...parseWebhookSpec(s, `--alert-webhook #${i + 1}`) })),
      '--alert-webhook',
      { env },
    );
    const destinations = [...fromFile, ...fromFlags];
    const names = new Set<string>();
    for (const d of destinations) {
      if (names.has(d.name)) throw new UsageError(`alert destination name "${d.name}" is used twice (file and --alert-webhook)`);
      names.add(d.name);
    }
    const dataDir = stringFlag(flags, 'data-dir') ?? (env.BULWARK_DATA_DIR || defaultDataDir(env));
    return { destinations, dir: dirFlag ?? join(dataDir, 'alerts') };
  } catch (err) {
    if (err instanceof AlertConfigError) throw new UsageError(err.message);
    throw err;
  }
}
