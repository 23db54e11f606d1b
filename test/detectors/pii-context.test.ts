import { describe, expect, it } from 'vitest';
import { compileContext, contextWindow, followedBy, hasContext, windowHas } from '../../src/detectors/pii/context-words.js';

const ssn = compileContext(['ssn', 'social security', 'driver']);

function around(text: string, value: string): [number, number] {
  const start = text.indexOf(value);
  return [start, start + value.length];
}

describe('context words', () => {
  it('finds a term among the five letter words before the match', () => {
    const text = 'My SSN, as requested, is 123';
    expect(hasContext(text, ...around(text, '123'), ssn)).toBe(true);
    const far = 'My SSN was lost and then one two three four five 123';
    expect(hasContext(far, ...around(far, '123'), ssn)).toBe(false);
  });

  it('digits and punctuation between the label and the value do not push the label out', () => {
    const text = 'SSN: 111-22-3333, 444-55-6666, 777-88-9999, 123';
    expect(hasContext(text, ...around(text, '123'), ssn)).toBe(true);
  });

  it('looks one word after the match', () => {
    const text = 'reach 123 (ssn) later';
    expect(hasContext(text, ...around(text, '123'), ssn)).toBe(true);
    const two = 'value 123 was ssn';
    expect(hasContext(two, ...around(two, '123'), ssn)).toBe(false);
  });

  it('matches multi-word terms as consecutive words, in any case', () => {
    const text = 'his Social Security number: 123';
    expect(hasContext(text, ...around(text, '123'), ssn)).toBe(true);
    const split = 'social media and security: 123';
    expect(hasContext(split, ...around(split, '123'), compileContext(['social security']))).toBe(false);
  });

  it('long terms match word prefixes and possessives; short terms only whole words', () => {
    const text = "the driver's licence 123";
    expect(hasContext(text, ...around(text, '123'), ssn)).toBe(true);
    const plural = 'drivers 123';
    expect(hasContext(plural, ...around(plural, '123'), ssn)).toBe(true);
    const inside = 'classn 123'; // "ssn" inside another word
    expect(hasContext(inside, ...around(inside, '123'), ssn)).toBe(false);
  });

  it('a window can be computed once and tested for several contexts', () => {
    const text = 'call my phone 123';
    const w = contextWindow(text, ...around(text, '123'));
    expect(windowHas(w, compileContext(['phone']))).toBe(true);
    expect(windowHas(w, ssn)).toBe(false);
  });

  it('followedBy checks only the words after the match', () => {
    const text = 'street 12 34 Main Street';
    const [, end] = around(text, '12 34');
    expect(followedBy(text, end, compileContext(['street']), 3)).toBe(true);
    expect(followedBy('Main Street 12 34', 17, compileContext(['street']), 3)).toBe(false);
  });
});
