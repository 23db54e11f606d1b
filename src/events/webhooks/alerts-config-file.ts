/**
 * The alert destinations file (`--alerts-config FILE`, YAML or JSON), in the Kubernetes-like
 * shape of policy files so it can live in a ConfigMap next to them:
 *
 *   apiVersion: bulwark.dev/v1
 *   kind: AlertDestinations
 *   spec:
 *     defaults: { minSeverity: HIGH, rateLimit: { perMinute: 20, burst: 5 } }
 *     destinations:
 *       - name: oncall-slack
 *         format: slack
 *         url: { env: SLACK_ALERT_URL }
 *
 * `spec.defaults` holds any destination field; each destination's own fields win.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AlertConfigError, type DestinationInput } from './alert-destination-config.js';

const API_VERSION = 'bulwark.dev/v1';
const KIND = 'AlertDestinations';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Shallow-merges defaults under a destination, one level deeper for rateLimit and retry. */
function withDefaults(defaults: Record<string, unknown>, destination: unknown): unknown {
  if (!isObject(destination)) return destination;
  const merged: Record<string, unknown> = { ...defaults, ...destination };
  for (const key of ['rateLimit', 'retry']) {
    if (isObject(defaults[key]) && isObject(destination[key])) merged[key] = { ...defaults[key], ...destination[key] };
  }
  return merged;
}

/** The destinations (user form, defaults merged) of a parsed document; `source` prefixes errors. */
export function destinationInputs(doc: unknown, source: string): DestinationInput[] {
  if (!isObject(doc)) throw new AlertConfigError(`${source}: must be a mapping`);
  if (doc.apiVersion !== API_VERSION) throw new AlertConfigError(`${source} apiVersion: must be ${API_VERSION}`);
  if (doc.kind !== KIND) throw new AlertConfigError(`${source} kind: must be ${KIND}`);
  const spec = doc.spec;
  if (!isObject(spec)) throw new AlertConfigError(`${source} spec: must be a mapping`);
  for (const key of Object.keys(spec)) if (key !== 'defaults' && key !== 'destinations') throw new AlertConfigError(`${source} spec.${key}: unknown field`);
  const defaults = spec.defaults ?? {};
  if (!isObject(defaults)) throw new AlertConfigError(`${source} spec.defaults: must be a mapping`);
  if ('name' in defaults || 'url' in defaults) throw new AlertConfigError(`${source} spec.defaults: name and url belong to each destination`);
  if (!Array.isArray(spec.destinations)) throw new AlertConfigError(`${source} spec.destinations: must be a list`);
  return spec.destinations.map((d) => withDefaults(defaults, d) as DestinationInput);
}

/** Reads and parses the file (YAML is a superset of JSON, so one parser serves both). */
export function loadAlertsConfigFile(path: string): DestinationInput[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AlertConfigError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AlertConfigError(`${path}: not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return destinationInputs(doc, path);
}
