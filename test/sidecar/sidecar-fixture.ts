/** Starts a real sidecar on 127.0.0.1, port 0, with a silent logger, for one test file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSidecar, type RunningSidecar, type SidecarOptions } from '../../src/sidecar/start-sidecar.js';
import { createLogger } from '../../src/telemetry/logger.js';

export const silentLogger = createLogger({ level: 'silent' });

export function startTestSidecar(options: SidecarOptions = {}): Promise<RunningSidecar> {
  return startSidecar({ listen: '127.0.0.1:0', workers: 2, logger: silentLogger, ...options });
}

/** Writes `text` to a fresh temporary directory and returns the file's path. */
export function writeTempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bulwark-sidecar-')), name);
  writeFileSync(path, text);
  return path;
}

/** A policy document for tenant "default" with one BLOCK custom rule matching `phrase`. */
export function blockPhrasePolicy(ruleId: string, phrase: string): string {
  return `apiVersion: bulwark.dev/v1
kind: Policy
spec:
  customRules:
    - id: ${ruleId}
      phrases: ["${phrase}"]
      action: BLOCK
`;
}
