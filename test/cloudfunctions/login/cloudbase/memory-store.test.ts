/** The Store contract against the in-memory store the action tests use (support/memory-store.ts). */
import { createMemoryStore } from '../support/memory-store';
import { describeStoreConformance } from './store-conformance';

describeStoreConformance('memory', async () => ({ store: createMemoryStore() }));
