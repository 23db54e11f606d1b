/**
 * `bulwark control --webhook-*`: the sidecar injector webhook (src/mesh/) served next to the
 * control plane over its own TLS listener. All three of listen, cert and key, or none.
 */
import { loadInjectorConfig } from '../mesh/injector-config-file.js';
import { resolveInjectorConfig } from '../mesh/injector-config.js';
import type { ControlPlaneOptions } from '../control/start-control-plane.js';
import { stringFlag, UsageError, type ParsedFlags } from './parse-flags.js';

export const WEBHOOK_FLAGS = {
  'webhook-listen': { type: 'string' },
  'webhook-cert': { type: 'string' },
  'webhook-key': { type: 'string' },
  'webhook-config': { type: 'string' },
} as const;

export const WEBHOOK_HELP = `  --webhook-listen ADDR, --webhook-cert FILE, --webhook-key FILE
                                serve the sidecar injector (Kubernetes mutating webhook,
                                POST /mutate and /mutate/namespace, AdmissionReview v1) over TLS on ADDR
                                (BULWARK_WEBHOOK_LISTEN, BULWARK_WEBHOOK_CERT, BULWARK_WEBHOOK_KEY)
  --webhook-config FILE         what is injected: image, control plane, resources (JSON or
                                YAML; BULWARK_WEBHOOK_CONFIG; default: built-in defaults)`;

export function webhookOptions(flags: ParsedFlags, env: NodeJS.ProcessEnv): ControlPlaneOptions['webhook'] {
  const listen = stringFlag(flags, 'webhook-listen') ?? (env.BULWARK_WEBHOOK_LISTEN || undefined);
  const certFile = stringFlag(flags, 'webhook-cert') ?? (env.BULWARK_WEBHOOK_CERT || undefined);
  const keyFile = stringFlag(flags, 'webhook-key') ?? (env.BULWARK_WEBHOOK_KEY || undefined);
  const configFile = stringFlag(flags, 'webhook-config') ?? (env.BULWARK_WEBHOOK_CONFIG || undefined);
  if (!listen && !certFile && !keyFile) {
    if (configFile) throw new UsageError('--webhook-config needs --webhook-listen, --webhook-cert and --webhook-key');
    return undefined;
  }
  if (!listen || !certFile || !keyFile) throw new UsageError('the webhook needs all of --webhook-listen, --webhook-cert and --webhook-key');
  try {
    return { listen, certFile, keyFile, injector: configFile ? loadInjectorConfig(configFile) : resolveInjectorConfig() };
  } catch (err) {
    throw new UsageError(`--webhook-config: ${(err as Error).message}`);
  }
}
