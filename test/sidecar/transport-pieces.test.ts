import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/engine-error.js';
import { PolicyValidationError } from '../../src/policy/policy-error.js';
import { PoolError } from '../../src/pool/pool-errors.js';
import { codePointLength, tailOf } from '../../src/sidecar/code-points.js';
import { classifyConnection } from '../../src/transport/connection-router.js';
import { checkContentSize, checkRequestSize } from '../../src/sidecar/content-limits.js';
import { formatAddress, parseListenAddress } from '../../src/sidecar/listen-address.js';
import { RpcError, toRpcError } from '../../src/sidecar/status-errors.js';

describe('connection sniffing', () => {
  it('sends the HTTP/2 preface to gRPC and every HTTP/1.1 method to Connect', () => {
    expect(classifyConnection(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBe('http2');
    expect(classifyConnection(Buffer.from('PRI '))).toBe('http2');
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'DELETE']) {
      expect(classifyConnection(Buffer.from(`${method} / HTTP/1.1\r\n`))).toBe('http1');
    }
    // "P" could still be either POST or PRI: wait for more bytes.
    expect(classifyConnection(Buffer.from('P'))).toBeUndefined();
    expect(classifyConnection(Buffer.from('PR'))).toBeUndefined();
    expect(classifyConnection(Buffer.from('PO'))).toBe('http1');
    expect(classifyConnection(Buffer.from([0x16, 0x03, 0x01]))).toBe('http1'); // TLS: not ours, Connect answers 400
  });
});

describe('listen addresses', () => {
  it('parses host:port, [v6]:port and unix paths', () => {
    expect(parseListenAddress('127.0.0.1:50051')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 50051 });
    expect(parseListenAddress('[::1]:0')).toEqual({ kind: 'tcp', host: '::1', port: 0 });
    expect(parseListenAddress(':8080')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 8080 });
    expect(parseListenAddress('unix:/tmp/b.sock')).toEqual({ kind: 'unix', path: '/tmp/b.sock' });
    expect(formatAddress({ kind: 'tcp', host: '::1', port: 0 }, 4321)).toBe('[::1]:4321');
    expect(formatAddress({ kind: 'unix', path: '/tmp/b.sock' }, 0)).toBe('unix:/tmp/b.sock');
  });

  it('refuses malformed addresses', () => {
    for (const bad of ['localhost', '127.0.0.1:99999', 'unix:', '1.2.3.4:port', 'a:b:c']) {
      expect(() => parseListenAddress(bad)).toThrow(/listen address/);
    }
  });
});

describe('code points', () => {
  it('counts surrogate pairs once', () => {
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('\ud83d')).toBe(1); // a lone surrogate is one code point
  });

  it('never starts a tail inside a surrogate pair', () => {
    expect(tailOf('x😀y', 2)).toBe('y');
    expect(tailOf('x😀y', 3)).toBe('😀y');
    expect(tailOf('short', 10)).toBe('short');
  });
});

describe('status mapping', () => {
  it('maps engine, pool and policy errors to gRPC codes with their messages', () => {
    expect(toRpcError(new EngineError('NOT_FOUND', 'no policy'))).toMatchObject({ code: status.NOT_FOUND, message: 'no policy' });
    expect(toRpcError(new EngineError('INVALID_ARGUMENT', 'x')).code).toBe(status.INVALID_ARGUMENT);
    expect(toRpcError(new EngineError('DEADLINE_EXCEEDED', 'x')).code).toBe(status.DEADLINE_EXCEEDED);
    expect(toRpcError(new PoolError('RESOURCE_EXHAUSTED', 'full')).code).toBe(status.RESOURCE_EXHAUSTED);
    expect(toRpcError(new PoolError('UNAVAILABLE', 'closing')).code).toBe(status.UNAVAILABLE);
    expect(toRpcError(new PoolError('CANCELLED', 'gone')).code).toBe(status.CANCELLED);
    expect(toRpcError(new PolicyValidationError('bad', 'p.yaml:3')).code).toBe(status.INVALID_ARGUMENT);
    const given = new RpcError(status.FAILED_PRECONDITION, 'as is');
    expect(toRpcError(given)).toBe(given);
  });

  it('hides the message of unexpected errors (they may quote content)', () => {
    const mapped = toRpcError(new TypeError('cannot read jane.doe@example.com'));
    expect(mapped).toMatchObject({ code: status.INTERNAL, message: 'internal error' });
  });
});

describe('content size', () => {
  it('counts UTF-8 bytes at the limit exactly', () => {
    expect(() => checkContentSize('a'.repeat(10), 10)).not.toThrow();
    expect(() => checkContentSize('a'.repeat(11), 10)).toThrow('content is 11 bytes; the limit is 10 bytes');
    expect(() => checkContentSize('€€€', 9)).not.toThrow(); // 3 × 3 bytes
    expect(() => checkContentSize('€€€€', 9)).toThrow('content is 12 bytes; the limit is 9 bytes');
    expect(() => checkContentSize('😀😀', 8)).not.toThrow(); // 2 × 4 bytes, 4 UTF-16 units
  });
});

describe('request size over several fields', () => {
  it('sums content, system_prompt and input_content against one limit', () => {
    expect(() => checkRequestSize({ content: 'a'.repeat(6), system_prompt: 'b'.repeat(4), input_content: '' }, 10)).not.toThrow();
    expect(() => checkRequestSize({ content: 'a'.repeat(6), system_prompt: 'b'.repeat(5), input_content: '' }, 10)).toThrow(
      'content and system_prompt are 11 bytes together; the limit is 10 bytes',
    );
    expect(() => checkRequestSize({ content: 'a', system_prompt: 'b', input_content: 'c'.repeat(9) }, 10)).toThrow(
      'content, system_prompt and input_content are 11 bytes together; the limit is 10 bytes',
    );
  });

  it('keeps the plain message when only one field is set', () => {
    expect(() => checkRequestSize({ content: 'a'.repeat(11), system_prompt: '' }, 10)).toThrow('content is 11 bytes; the limit is 10 bytes');
    expect(() => checkRequestSize({ content: '', system_prompt: 'b'.repeat(11) }, 10)).toThrow('system_prompt is 11 bytes; the limit is 10 bytes');
  });
});
