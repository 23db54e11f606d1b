/** Small policy files for the CLI tests, written to a temporary directory. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-cli-'));

export function writePolicy(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Tenant "default" blocks the phrase "purple elephant" (deterministic, independent of detectors). */
export const BLOCK_PHRASE_POLICY = `apiVersion: bulwark.dev/v1
kind: Policy
spec:
  customRules:
    - id: no-purple-elephants
      phrases: ["purple elephant"]
      action: BLOCK
`;

/** Same, plus a warn-only rule for tenant "acme". */
export const TWO_TENANT_POLICY = `${BLOCK_PHRASE_POLICY}---
apiVersion: bulwark.dev/v1
kind: Policy
metadata:
  tenant: acme
spec:
  customRules:
    - id: acme-codename
      phrases: ["purple elephant"]
      action: WARN
`;

/** Invalid: line 8 names an action that does not exist. */
export const INVALID_POLICY = BLOCK_PHRASE_POLICY.replace('action: BLOCK', 'action: EXPLODE');
