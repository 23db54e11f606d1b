/**
 * Detectors built for one compiled policy, cached by policy version. Building compiles every
 * pattern (RE2 sets, lexicons, models), so it happens once per detector configuration per
 * thread, not per scan; a hot reload that leaves a policy unchanged keeps its detectors.
 */
import { compileAllowList, type AllowList } from '../detectors/allow-list.js';
import { detectorFactories as registryFactories } from '../detectors/registry.js';
import type { Detector, DetectorFactory, DirectionName, ThreatTypeName } from '../detectors/types.js';
import { detectorConfigKey } from '../policy/detector-config-key.js';
import type { CompiledPolicy } from '../policy/types.js';

export type NamedDetectorFactories = ReadonlyArray<readonly [name: string, factory: DetectorFactory]>;

/** One registry entry: its detector, or null when the policy switched it off or it failed to build. */
export interface DetectorSlot {
  readonly name: string;
  readonly detector: Detector | null;
  /** The factory threw: every scan under this policy applies the fail mode for it. */
  readonly failedToBuild: boolean;
}

export interface CompiledDetectors {
  /** Slots to run per direction, in registry order (detectors with nothing to report are left out). */
  readonly slots: Readonly<Record<DirectionName, readonly DetectorSlot[]>>;
  /** Null when the policy has no allow-list patterns. */
  readonly allowList: AllowList | null;
  /** Custom rule id → the directions it applies to. */
  readonly ruleDirections: ReadonlyMap<string, readonly DirectionName[]>;
}

/**
 * A detector is skipped in a direction when every type it produces is ALLOW there: its findings
 * would be dropped anyway. CUSTOM_RULE findings carry their own action, so the custom-rule
 * detector always runs.
 */
function producesSomethingIn(detector: Detector, policy: CompiledPolicy, direction: DirectionName): boolean {
  return detector.produces.some(
    (type: ThreatTypeName) => type === 'CUSTOM_RULE' || type === 'SCANNER_ERROR' || policy.threats[type].action[direction] !== 'ALLOW',
  );
}

function build(policy: CompiledPolicy, all: DetectorSlot[]): CompiledDetectors {
  const forDirection = (direction: DirectionName): DetectorSlot[] =>
    all.filter((s) => s.failedToBuild || (s.detector !== null && producesSomethingIn(s.detector, policy, direction)));
  return {
    slots: { INPUT: forDirection('INPUT'), OUTPUT: forDirection('OUTPUT') },
    allowList: buildAllowList(policy),
    ruleDirections: new Map(policy.customRules.map((r) => [r.id, r.directions])),
  };
}

function buildSlot(name: string, factory: DetectorFactory, policy: CompiledPolicy): DetectorSlot {
  try {
    return { name, detector: factory(policy), failedToBuild: false };
  } catch {
    // Policies are validated at load with the same factories, so this is a bug or a missing
    // resource; the fail mode decides, per scan, rather than a crash here.
    return { name, detector: null, failedToBuild: true };
  }
}

/**
 * Validated at load, so a failure here means a policy set built some other way; without the
 * allow-list nothing is exempted, which errs on the strict side.
 */
function buildAllowList(policy: CompiledPolicy): AllowList | null {
  if (policy.allowPatterns.length === 0) return null;
  try {
    return compileAllowList(policy.allowPatterns);
  } catch {
    return null;
  }
}

/** A Map used as a bounded LRU: a hit moves the entry to the end, inserts evict from the front. */
function lruGet<V>(map: Map<string, V>, key: string, max: number, create: () => V): V {
  const hit = map.get(key);
  if (hit !== undefined) {
    map.delete(key);
    map.set(key, hit);
    return hit;
  }
  const value = create();
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  return value;
}

/**
 * Compiled detectors by policy version (bounded, least recently used evicted). Underneath,
 * each detector instance is shared by every policy with the same detector configuration
 * (see detector-config-key.ts), so many tenants cost one build per distinct configuration.
 */
export class CompiledDetectorCache {
  private readonly byVersion = new Map<string, CompiledDetectors>();
  private readonly byConfig = new Map<string, DetectorSlot>();

  constructor(
    private readonly factories: NamedDetectorFactories = registryFactories,
    private readonly maxPolicies = 256,
  ) {}

  get(policy: CompiledPolicy): CompiledDetectors {
    // Tenant and id are part of the version's content, so equal versions mean equal policies.
    return lruGet(this.byVersion, policy.version, this.maxPolicies, () => {
      const slots = this.factories.map(([name, factory]) =>
        lruGet(this.byConfig, detectorConfigKey(name, policy), this.maxPolicies * this.factories.length, () =>
          buildSlot(name, factory, policy),
        ),
      );
      return build(policy, slots);
    });
  }

  get size(): number {
    return this.byVersion.size;
  }
}

/** The per-thread cache for the real registry, shared by every engine in the thread. */
export const registryDetectorCache = new CompiledDetectorCache();
