/** The package version, reported to the control plane (FleetService shows it). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  // src/sidecar → repo root is ../..; dist/src/sidecar → ../../..
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'bulwark' && pkg.version) return pkg.version;
    } catch {
      // Not there: try the next layout.
    }
  }
  return 'unknown';
}

export const SIDECAR_VERSION: string = readVersion();
