import { describeStoreConformance } from './store-conformance.js';
import { pgliteFactory } from './test-databases.js';

describeStoreConformance(pgliteFactory);
