// STUB: replaced by the real detector.
import type { DetectorFactory } from './types.js';

export const createInjectionDetector: DetectorFactory = () => null;
