/**
 * Reports policy switches wherever they come from (file hot reload, control-plane push): a
 * view of the pool whose `setPolicySet` calls `onChange(previous, next)` once the threads
 * enforce the new set. Everything else passes through untouched.
 */
import type { PolicySet } from '../policy/types.js';

interface PolicyHolder {
  setPolicySet(set: PolicySet): Promise<void>;
  readonly policySet: PolicySet;
}

export function reportPolicyChanges<P extends PolicyHolder>(pool: P, onChange: (previous: PolicySet, next: PolicySet) => void): P {
  const setPolicySet = async (set: PolicySet): Promise<void> => {
    const previous = pool.policySet;
    await pool.setPolicySet(set);
    if (previous.version !== set.version) onChange(previous, set);
  };
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'setPolicySet') return setPolicySet;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
