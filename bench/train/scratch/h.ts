import { hashRange, mix32 } from '../../../src/detectors/ml/feature-hash.js';
console.log(hashRange('abc', 0, 3, 0), mix32(1));
