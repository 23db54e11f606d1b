/**
 * examples/envoy/envoy.yaml cannot be run here (no Envoy binary); this checks that it says
 * what the sidecar expects: filter order, body modes the ext_proc session serves, fail-closed
 * settings, an HTTP/2 cluster on the sidecar's default port, and the tenant set per route.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Filter {
  name: string;
  typed_config: Record<string, unknown>;
}

const config = parse(readFileSync(new URL('../../examples/envoy/envoy.yaml', import.meta.url), 'utf8')) as {
  static_resources: { listeners: Array<{ filter_chains: Array<{ filters: Array<{ typed_config: Record<string, unknown> }> }> }>; clusters: Array<Record<string, unknown>> };
};
const hcm = config.static_resources.listeners[0]!.filter_chains[0]!.filters[0]!.typed_config as {
  http_filters: Filter[];
  route_config: { virtual_hosts: Array<{ routes: Array<Record<string, unknown>> }> };
  stream_idle_timeout: string;
};
const filter = (name: string): Record<string, unknown> => hcm.http_filters.find((f) => f.name === name)!.typed_config;

describe('examples/envoy/envoy.yaml', () => {
  it('ext_authz, then ext_proc, then the router', () => {
    expect(hcm.http_filters.map((f) => f.name)).toEqual(['envoy.filters.http.ext_authz', 'envoy.filters.http.ext_proc', 'envoy.filters.http.router']);
  });

  it('ext_authz sends the body as bytes, allows partial bodies (Bulwark decides) and fails closed', () => {
    const authz = filter('envoy.filters.http.ext_authz');
    expect(authz).toMatchObject({
      transport_api_version: 'V3',
      failure_mode_allow: false,
      with_request_body: { allow_partial_message: true, pack_as_bytes: true, max_request_bytes: 1048576 },
      grpc_service: { envoy_grpc: { cluster_name: 'bulwark' } },
    });
  });

  it('ext_proc: BUFFERED request body, STREAMED answer, fail closed, metadata namespace accepted', () => {
    expect(filter('envoy.filters.http.ext_proc')).toMatchObject({
      processing_mode: { request_body_mode: 'BUFFERED', response_body_mode: 'STREAMED', request_header_mode: 'SEND', response_header_mode: 'SEND' },
      failure_mode_allow: false,
      allow_mode_override: false,
      metadata_options: { receiving_namespaces: { untyped: ['bulwark'] } },
    });
  });

  it('the bulwark cluster speaks HTTP/2 to 127.0.0.1:50051 (the sidecar default) with gRPC health checks', () => {
    const cluster = config.static_resources.clusters.find((c) => c.name === 'bulwark')!;
    expect(JSON.stringify(cluster)).toContain('"http2_protocol_options"');
    expect(JSON.stringify(cluster)).toContain('"port_value":50051');
    expect(cluster.health_checks).toEqual([expect.objectContaining({ grpc_health_check: {} })]);
  });

  it('the LLM route sets the tenant in context extensions, strips client-set x-bulwark-* headers, never times out a stream', () => {
    const route = hcm.route_config.virtual_hosts[0]!.routes[0]!;
    expect(route).toMatchObject({
      route: { timeout: '0s' },
      request_headers_to_remove: expect.arrayContaining(['x-bulwark-action', 'x-bulwark-scan-id']),
      typed_per_filter_config: { 'envoy.filters.http.ext_authz': { check_settings: { context_extensions: { tenant_id: 'default' } } } },
    });
    expect(hcm.stream_idle_timeout).toBe('300s');
  });
});
