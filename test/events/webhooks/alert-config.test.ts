/** Destination config: the file shape, defaults, secrets from env or file, and errors that name the field. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertConfigError, compileDestinations } from '../../../src/events/webhooks/alert-destination-config.js';
import { loadAlertsConfigFile } from '../../../src/events/webhooks/alerts-config-file.js';
import { TempDirs } from './webhook-fixture.js';

describe('alert destination config', () => {
  const dirs = new TempDirs();
  afterAll(() => dirs.removeAll());

  const file = (text: string): string => {
    const path = join(dirs.make(), 'alerts.yaml');
    writeFileSync(path, text);
    return path;
  };

  it('reads the YAML file: defaults under each destination, secrets from env and file, URL from env', () => {
    const secretFile = join(dirs.make(), 'signing-key');
    writeFileSync(secretFile, 'from-a-mounted-secret\n');
    const path = file(`apiVersion: bulwark.dev/v1
kind: AlertDestinations
spec:
  defaults:
    minSeverity: MEDIUM
    rateLimit: { perMinute: 10 }
  destinations:
    - name: siem
      url: https://siem.example/hooks/bulwark
      secret: { file: ${secretFile} }
    - name: oncall
      format: slack
      url: { env: SLACK_URL }
      minSeverity: critical
      rateLimit: { burst: 2 }
      tenants: [acme]
`);
    const env = { SLACK_URL: 'https://hooks.slack.example/services/T/B/x' };
    const [siem, oncall] = compileDestinations(loadAlertsConfigFile(path), 'spec.destinations', { env });
    expect(siem).toMatchObject({ name: 'siem', format: 'json', secret: 'from-a-mounted-secret', minSeverity: 'MEDIUM', deniedActions: true, rateLimit: { perMinute: 10, burst: 5 }, timeoutMs: 5000 });
    expect(siem!.tenants).toBeUndefined();
    expect(oncall).toMatchObject({ name: 'oncall', format: 'slack', url: env.SLACK_URL, secret: undefined, minSeverity: 'CRITICAL', rateLimit: { perMinute: 10, burst: 2 } });
    expect([...oncall!.tenants!]).toEqual(['acme']);
  });

  it('errors name the field; secret values and secret URLs are never echoed', () => {
    const ctx = { env: { BAD_URL: 'not a url with-token-123' } };
    const error = (inputs: unknown[]): string => {
      try {
        compileDestinations(inputs, 'd', ctx);
      } catch (err) {
        expect(err).toBeInstanceOf(AlertConfigError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(error([{}])).toBe('d[0].url: is required');
    expect(error([{ url: 'https://a.example', format: 'discord' }])).toBe('d[0].format: must be one of json, slack, teams ("discord" given)');
    expect(error([{ url: 'https://a.example', secret: 'inline-value' }])).toBe('d[0].secret: must be { env: NAME } or { file: PATH } (never the value itself)');
    expect(error([{ url: 'https://a.example', secret: { env: 'UNSET_VAR' } }])).toBe('d[0].secret: environment variable UNSET_VAR is not set');
    expect(error([{ url: { env: 'BAD_URL' } }])).toBe('d[0].url: is not a valid URL');
    expect(error([{ url: 'ftp://a.example' }])).toBe('d[0].url: must be an http(s) URL');
    expect(error([{ url: 'https://a.example', minSeverity: 'HUGE' }])).toBe('d[0].minSeverity: must be one of LOW, MEDIUM, HIGH, CRITICAL ("HUGE" given)');
    expect(error([{ url: 'https://a.example', rateLimit: { perMinute: 0 } }])).toBe('d[0].rateLimit.perMinute: must be a positive number (0 given)');
    expect(error([{ url: 'https://a.example', colour: 'red' }])).toBe('d[0].colour: unknown field');
    expect(error([{ url: 'https://a.example', name: '..' }])).toMatch(/^d\[0\]\.name: must be/);
    expect(error([{ url: 'https://a.example', name: 'x' }, { url: 'https://b.example', name: 'x' }])).toBe('d[1].name: "x" is used twice');
  });

  it('examples/alerts/alerts.yaml compiles (secret files and env supplied)', () => {
    const files: Record<string, string> = {
      '/var/run/secrets/bulwark-alerts/siem-signing-key': 'k3y\n',
      '/var/run/secrets/bulwark-alerts/teams-url': 'https://example.webhook.office.com/webhookb2/x\n',
    };
    const readFile = (path: string): string => files[path] ?? '';
    const env = { SLACK_ALERT_URL: 'https://hooks.slack.example/services/T/B/x' };
    const compiled = compileDestinations(loadAlertsConfigFile(fileURLToPath(new URL('../../../examples/alerts/alerts.yaml', import.meta.url))), 'spec.destinations', { env, readFile });
    expect(compiled.map((d) => [d.name, d.format, d.minSeverity, d.secret !== undefined])).toEqual([
      ['siem', 'json', 'MEDIUM', true],
      ['oncall', 'slack', 'HIGH', false],
      ['secops-teams', 'teams', 'HIGH', false],
    ]);
  });

  it('the file must be an AlertDestinations document', () => {
    expect(() => loadAlertsConfigFile(file('apiVersion: bulwark.dev/v1\nkind: Policy\nspec: {}\n'))).toThrow(/kind: must be AlertDestinations/);
    expect(() => loadAlertsConfigFile(file('apiVersion: bulwark.dev/v1\nkind: AlertDestinations\nspec: { destinations: {} }\n'))).toThrow(/spec.destinations: must be a list/);
    expect(() => loadAlertsConfigFile(file('{"apiVersion": "bulwark.dev/v1", "kind": "AlertDestinations", "spec": {"destinations": []}}'))).not.toThrow();
  });
});
