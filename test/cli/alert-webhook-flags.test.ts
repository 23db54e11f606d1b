/** `bulwark sidecar --alert-webhook / --alerts-config / --alerts-dir`: parsing, secrets by reference only, errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alertsConfig, parseWebhookSpec } from '../../src/cli/alert-webhook-flags.js';
import { parseFlags, UsageError } from '../../src/cli/parse-flags.js';
import { sidecarConfig } from '../../src/cli/sidecar-command.js';
import { ALERT_WEBHOOK_FLAGS } from '../../src/cli/alert-webhook-flags.js';

const flagsOf = (args: string[]) => parseFlags(args, ALERT_WEBHOOK_FLAGS, 0);

describe('alert webhook flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-alert-flags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses a spec; a value runs to the next known key, so URLs may hold commas; a bare URL works', () => {
    expect(parseWebhookSpec('url=https://a.example/x?tags=a,b,format=slack,secret-env=SIGNING,min-severity=critical,name=ops', 's')).toEqual({
      url: 'https://a.example/x?tags=a,b', format: 'slack', secret: { env: 'SIGNING' }, minSeverity: 'critical', name: 'ops',
    });
    expect(parseWebhookSpec('https://a.example/hook', 's')).toEqual({ url: 'https://a.example/hook' });
    expect(parseWebhookSpec('format=teams,url-file=/run/secrets/teams-url,secret-file=/run/secrets/key', 's')).toEqual({
      format: 'teams', url: { file: '/run/secrets/teams-url' }, secret: { file: '/run/secrets/key' },
    });
  });

  it('refuses inline secrets, unknown keys, duplicates and two sources for one value', () => {
    expect(() => parseWebhookSpec('url=https://a.example,secret=hunter2', 's')).toThrow('s: a secret never goes on the command line; use secret-env=VAR or secret-file=PATH');
    expect(() => parseWebhookSpec('colour=red', 's')).toThrow(UsageError);
    expect(() => parseWebhookSpec('url=https://a.example,format=json,format=slack', 's')).toThrow('s: format given twice');
    expect(() => parseWebhookSpec('url=https://a.example,url-env=X', 's')).toThrow('s: give one of url, url-env, url-file');
    expect(() => parseWebhookSpec('secret-env=A,secret-file=/b,url=https://a.example', 's')).toThrow('s: give one of secret, secret-env, secret-file');
  });

  it('combines the file and repeated flags; default directory under the data dir; errors are usage errors', () => {
    const file = join(dir, 'alerts.yaml');
    writeFileSync(file, 'apiVersion: bulwark.dev/v1\nkind: AlertDestinations\nspec:\n  destinations:\n    - { name: siem, url: "https://siem.example/h" }\n');
    const env = { BULWARK_DATA_DIR: '/var/lib/bulwark', SLACK_URL: 'https://hooks.slack.example/T/B/x' };
    const config = alertsConfig(flagsOf(['--alerts-config', file, '--alert-webhook', 'format=slack,url-env=SLACK_URL', '--alert-webhook', 'https://b.example/h']), env);
    expect(config?.destinations.map((d) => [d.name, d.format, d.url])).toEqual([
      ['siem', 'json', 'https://siem.example/h'],
      ['webhook-1', 'slack', 'https://hooks.slack.example/T/B/x'],
      ['webhook-2', 'json', 'https://b.example/h'],
    ]);
    expect(config?.dir).toBe('/var/lib/bulwark/alerts');
    expect(alertsConfig(flagsOf(['--alert-webhook', 'https://b.example/h', '--alerts-dir', '/tmp/a']), {})?.dir).toBe('/tmp/a');
    expect(alertsConfig(flagsOf([]), {})).toBeUndefined();
    expect(() => alertsConfig(flagsOf(['--alerts-dir', '/tmp/a']), {})).toThrow('--alerts-dir needs --alerts-config or --alert-webhook');
    expect(() => alertsConfig(flagsOf(['--alert-webhook', 'url-env=NOPE']), {})).toThrow(new UsageError('--alert-webhook[0].url: environment variable NOPE is not set'));
    expect(() => alertsConfig(flagsOf(['--alert-webhook', 'url=https://a.example,name=siem', '--alerts-config', file]), env)).toThrow('alert destination name "siem" is used twice');
  });

  it('is part of bulwark sidecar (flags and BULWARK_ALERTS_CONFIG)', () => {
    const file = join(dir, 'env.yaml');
    writeFileSync(file, '{"apiVersion": "bulwark.dev/v1", "kind": "AlertDestinations", "spec": {"destinations": [{"url": "https://siem.example/h"}]}}');
    const config = sidecarConfig([], { BULWARK_ALERTS_CONFIG: file, BULWARK_ALERTS_DIR: '/tmp/alerts' });
    expect(config === 'help' ? undefined : config.alerts).toMatchObject({ dir: '/tmp/alerts', destinations: [{ name: 'webhook-1', minSeverity: 'HIGH' }] });
  });
});
