import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from '../../src/store/store-unavailable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it('recognises a database that cannot be reached', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated due to connection timeout', { cause: withCode('connect ETIMEDOUT', 'ETIMEDOUT') }),
    ]) {
      expect(isStoreUnavailable(err), err.message).toBe(true);
    }
  });

  it('leaves bugs and bad requests alone', () => {
    for (const err of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('syntax error at or near "SELEC"', '42601'),
      new Error('Connection terminated unexpectedly, says a row value'.replace('Connection', 'connection')),
      new TypeError('cannot read properties of undefined'),
      'a string',
      undefined,
    ]) {
      expect(isStoreUnavailable(err)).toBe(false);
    }
  });
});
