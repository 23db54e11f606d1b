/**
 * Detectors built for one compiled policy, cached by policy version. Building compiles every
 * pattern (RE2 sets, lexicons, models), so it happens once per policy version per thread, not
 * per scan; a hot reload that leaves a policy unchanged keeps its detectors.
 */
import { compileAllowList, type AllowList } from '../detectors/allow-list.js';
import { detectorFactories as registryFactories } from '../detectors/registry.js';
import type { Detector, DetectorFactory, DirectionName, ThreatTypeName } from '../detectors/types.js';
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

function build(policy: CompiledPolicy, factories: NamedDetectorFactories): CompiledDetectors {
  const all: DetectorSlot[] = factories.map(([name, factory]) => {
    try {
      return { name, detector: factory(policy), failedToBuild: false };
    } catch {
      // Policies are validated at load with the same factories, so this is a bug or a missing
      // resource; the fail mode decides, per scan, rather than a crash here.
      return { name, detector: null, failedToBuild: true };
    }
  });
  const forDirection = (direction: DirectionName): DetectorSlot[] =>
    all.filter((s) => s.failedToBuild || (s.detector !== null && producesSomethingIn(s.detector, policy, direction)));
  return {
    slots: { INPUT: forDirection('INPUT'), OUTPUT: forDirection('OUTPUT') },
    allowList: buildAllowList(policy),
    ruleDirections: new Map(policy.customRules.map((r) => [r.id, r.directions])),
  };
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

/** A bounded cache (least recently used evicted) of compiled detectors by policy version. */
export class CompiledDetectorCache {
  private readonly entries = new Map<string, CompiledDetectors>();

  constructor(
    private readonly factories: NamedDetectorFactories = registryFactories,
    private readonly maxEntries = 256,
  ) {}

  get(policy: CompiledPolicy): CompiledDetectors {
    // Tenant and id are part of the version's content, so equal versions mean equal policies.
    const key = policy.version;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const built = build(policy, this.factories);
    this.entries.set(key, built);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return built;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The per-thread cache for the real registry, shared by every engine in the thread. */
export const registryDetectorCache = new CompiledDetectorCache();
