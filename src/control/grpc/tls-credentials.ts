/**
 * TLS for the control-plane connection, on both ends: mutual TLS when certificate files are
 * configured (the server then requires a client certificate signed by its CA), plaintext
 * otherwise, which is acceptable on loopback only; anywhere else it is logged as a loud
 * warning, because bearer tokens and policies would cross the network in clear.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { ChannelCredentials } from '@grpc/grpc-js';
import type { Logger } from '../../telemetry/logger.js';

/** PEM file paths. `ca` verifies the peer; `cert`/`key` identify this end. */
export interface TlsFiles {
  cert?: string;
  key?: string;
  ca?: string;
}

export function hasTls(tls: TlsFiles | undefined): tls is TlsFiles {
  return !!tls && !!(tls.cert || tls.key || tls.ca);
}

/** The host part of "host:port" / "[v6]:port" / "dns:///host:port". */
export function hostOf(address: string): string {
  const target = address.replace(/^dns:\/\/\/?/, '');
  if (target.startsWith('[')) return target.slice(1, target.indexOf(']'));
  const colon = target.lastIndexOf(':');
  return colon >= 0 ? target.slice(0, colon) : target;
}

/** 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function read(path: string | undefined, what: string): Buffer | null {
  if (!path) return null;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

function warnPlaintext(address: string, logger: Logger, side: string): void {
  if (isLoopbackHost(hostOf(address))) return;
  logger.warn(
    { address },
    `PLAINTEXT ${side} on a non-loopback address: tokens, policies and records travel unencrypted and unauthenticated. Configure --tls-cert/--tls-key/--tls-ca.`,
  );
}

/**
 * Server side: options for node:tls when `tls` is set (cert and key required; ca makes client
 * certificates mandatory: mTLS), undefined for plaintext. TLS is terminated by node:tls, not
 * grpc-js, so gRPC and Connect share it (src/transport/dual-protocol-listener.ts).
 */
export function serverTlsOptions(tls: TlsFiles | undefined, listen: string, logger: Logger): TlsOptions | undefined {
  if (!hasTls(tls)) {
    warnPlaintext(listen, logger, 'control-plane listener');
    return undefined;
  }
  const cert = read(tls.cert, 'certificate');
  const key = read(tls.key, 'key');
  if (!cert || !key) throw new Error('TLS needs both --tls-cert and --tls-key');
  const ca = read(tls.ca, 'CA');
  if (!ca) return { cert, key };
  return { cert, key, ca, requestCert: true, rejectUnauthorized: true };
}

/** Client side: verifies the server with `ca` (else the system roots), presents cert/key when given. */
export function channelCredentials(tls: TlsFiles | undefined, address: string, logger: Logger): ChannelCredentials {
  if (!hasTls(tls)) {
    warnPlaintext(address, logger, 'connection to the control plane');
    return ChannelCredentials.createInsecure();
  }
  const cert = read(tls.cert, 'certificate');
  const key = read(tls.key, 'key');
  if (!!cert !== !!key) throw new Error('a client certificate needs both --tls-cert and --tls-key');
  return ChannelCredentials.createSsl(read(tls.ca, 'CA'), key, cert);
}
