import type { Store } from '../workflows/ports.js';
import { countAudited } from './metrics.js';

/**
 * The store, counting every audit entry it writes (appended alone, or with a request or a decision) into the
 * metrics. Only entries actually stored are counted: a refused or conflicting decision counts nothing.
 */
export function instrumentStore(store: Store): Store {
  const counted: Partial<Store> = {
    appendAudit: async (...args: Parameters<Store['appendAudit']>) => {
      const entry = await store.appendAudit(...args);
      countAudited(entry);
      return entry;
    },
    createRequest: async (...args: Parameters<Store['createRequest']>) => {
      const result = await store.createRequest(...args);
      if (result.kind === 'created') result.audit.forEach(countAudited);
      return result;
    },
    decide: async (...args: Parameters<Store['decide']>) => {
      const result = await store.decide(...args);
      if (result.kind === 'recorded') result.audit.forEach(countAudited);
      return result;
    },
  };
  // Every other method is the store's own, bound to it (an implementation may keep private state).
  return new Proxy(store, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.hasOwn(counted, key)) return counted[key as keyof Store];
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
