import { MemoryStore } from '../src/index.js';
import { describeStoreContract } from './support/store-contract.js';

describeStoreContract('MemoryStore', async (now) => {
  const store = new MemoryStore({ now });
  return { store, cleanup: () => store.close() };
});
