/**
 * The `listen` option: "host:port" ("[::1]:port" for IPv6; port 0 = any free port) or
 * "unix:/path/to.sock".
 */
export type ListenTarget = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Localhost only by default: the sidecar serves its own pod. */
export const DEFAULT_LISTEN = '127.0.0.1:50051';

/** Parses the `listen` option; throws with the offending value on anything else. */
export function parseListenAddress(listen: string): ListenTarget {
  if (listen.startsWith('unix:')) {
    const path = listen.slice('unix:'.length);
    if (path === '') throw new Error(`listen address "${listen}" has no socket path`);
    return { kind: 'unix', path };
  }
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) throw new Error(`listen address "${listen}" must be host:port or unix:/path`);
  return { kind: 'tcp', host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** How the bound address is reported: "host:port" or "unix:/path". */
export function formatAddress(target: ListenTarget, boundPort: number): string {
  if (target.kind === 'unix') return `unix:${target.path}`;
  return target.host.includes(':') ? `[${target.host}]:${boundPort}` : `${target.host}:${boundPort}`;
}
