/** Reads the injector configuration file (JSON or YAML, as the Helm chart's ConfigMap holds it). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { resolveInjectorConfig, type InjectorConfig, type InjectorConfigInput } from './injector-config.js';

export function loadInjectorConfig(path: string): InjectorConfig {
  const parsed = parse(readFileSync(path, 'utf8')) as InjectorConfigInput | null;
  return resolveInjectorConfig(parsed ?? {});
}
