/** Shared helpers for the output-guard detector tests: real analysed text, real policies. */
import { analyzeText } from '../../../src/detectors/normalize/analyze-text.js';
import type { DetectorInput, DirectionName, ScanContext } from '../../../src/detectors/types.js';

export function outputInput(text: string, context?: ScanContext, direction: DirectionName = 'OUTPUT'): DetectorInput {
  return context ? { text: analyzeText(text), direction, context } : { text: analyzeText(text), direction };
}

/** A 32-byte base64 key from a seed (deterministic test keys). */
export function testKey(seed: number): string {
  return Buffer.alloc(32, seed).toString('base64');
}

/** Deterministic "random" bytes for minting. */
export function bytesFrom(seed: number): (n: number) => Uint8Array {
  return (n) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 17) & 0xff);
}
