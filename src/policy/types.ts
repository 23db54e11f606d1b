/**
 * The compiled form of a policy: every field present, every default applied, every
 * pattern validated. Produced once at the edge (policy loading); consumed by the engine
 * and the detector factories in every worker thread. Must stay structured-cloneable
 * (plain data) because it crosses thread boundaries.
 */
import type { ActionName, DirectionName, SeverityName, ThreatTypeName } from '../detectors/types.js';
import type { FeedbackOverlay } from '../engine/feedback-overlay.js';

export type FailMode = 'closed' | 'open';

/** What the policy does with findings of one threat type. */
export interface ThreatRule {
  /** Findings below this confidence are dropped. */
  minConfidence: number;
  /** The action for a finding of this type in each direction. */
  action: Record<DirectionName, ActionName>;
}

/** An anonymizer operator for one entity type (Presidio's operator names). */
export type OperatorConfig =
  | { type: 'replace'; newValue?: string }
  | { type: 'redact' }
  | { type: 'mask'; maskingChar: string; charsToMask: number; fromEnd: boolean }
  | { type: 'hash' }
  | { type: 'encrypt' }
  | { type: 'keep' };

/** A custom guardrail rule as written in the policy (validated, not yet compiled to RE2). */
export interface CustomRuleSpec {
  id: string;
  /** RE2 syntax. Exactly one of pattern / phrases is set. */
  pattern?: string;
  /** Deny-listed phrases, matched case-insensitively on normalised text, whole words. */
  phrases?: string[];
  action: ActionName;
  severity: SeverityName;
  directions: DirectionName[];
  caseSensitive: boolean;
  description?: string;
}

/**
 * Settings of the output guards (system-prompt leaks, exfiltration, hijacked answers, unsafe
 * code, malicious URLs). Detector input: part of the detector configuration key.
 */
export interface OutputGuardsConfig {
  systemPromptLeak: {
    /** Shingle overlap with the scan's system prompt, and canary tokens. */
    enabled: boolean;
    /** Distinctive words of the system prompt an answer must reproduce before it counts. */
    minMatchedWords: number;
  };
  exfiltration: {
    /** Links, images and tags whose URL carries data to a domain not allowed below. */
    enabled: boolean;
    /** Domains that may receive data ("example.com" covers its subdomains; lower case). */
    allowedDomains: string[];
    /** Also allow the built-in list of well-known documentation domains. */
    wellKnownDomains: boolean;
    /** The action for a link that carries a credential (wins over DATA_EXFILTRATION's action). */
    secretAction: ActionName;
  };
  bulkDisclosure: {
    enabled: boolean;
    /** Entity type → how many one answer may hold; more is bulk disclosure. "DEFAULT" = every other type. */
    maxEntities: Record<string, number>;
    /** Credential-shaped values one answer may hold. */
    maxSecrets: number;
    /** Rows of a table (or lines of a list) that each carry personal data. */
    maxRecordRows: number;
    /** The action for bulk disclosure (wins over DATA_EXFILTRATION's action). */
    action: ActionName;
  };
  hijack: {
    /** Answers that comply with a reply an injected input demanded; hijack markers. */
    enabled: boolean;
    /** The action for a complying answer (wins over PROMPT_INJECTION's action). */
    action: ActionName;
  };
  unsafeCode: { enabled: boolean };
  maliciousUrls: { enabled: boolean };
}

export interface CompiledPolicy {
  /** Policy id (metadata.name), unique within a tenant. */
  id: string;
  tenant: string;
  /** Opaque version string; every response carries it. */
  version: string;
  detectors: {
    injection: { enabled: boolean };
    pii: {
      enabled: boolean;
      /** Presidio entity names to look for; empty = all supported. */
      entities: string[];
      /** Regions for phone number parsing, e.g. ["US", "GB"]. */
      phoneRegions: string[];
    };
    secrets: { enabled: boolean };
    toxicity: { enabled: boolean };
  };
  threats: Record<Exclude<ThreatTypeName, 'SCANNER_ERROR'>, ThreatRule>;
  /** Operator per entity type; key "DEFAULT" applies to everything not listed. */
  operators: Record<string, OperatorConfig>;
  customRules: CustomRuleSpec[];
  /** RE2 patterns; a finding whose span is fully inside a match of one is dropped. */
  allowPatterns: string[];
  failMode: FailMode;
  /** Per-scan time budget in milliseconds; over it the fail mode decides. */
  timeBudgetMs: number;
  /** Salt for the `hash` operator (per tenant). */
  hashSalt: string;
  /** Base64 AES-256 key for the `encrypt` operator; empty = encrypt unavailable (validation error if used). */
  encryptionKey: string;
  /**
   * Output guards' settings. Always set by the policy compiler; optional so that policies built
   * by hand (tests, tools) stay valid: detectors then use the built-in default.
   */
  outputGuards?: OutputGuardsConfig;
  /**
   * Base64 32-byte canary key of this tenant: HKDF-SHA256 of the canary secret (env
   * BULWARK_CANARY_KEY or `outputGuards.canary.keyEnv`) with the tenant id. "" or absent = no
   * secret configured: canaries can be neither minted nor verified.
   */
  canaryKey?: string;
}

/** All policies the sidecar enforces, by tenant. */
export interface PolicySet {
  /** Version of the whole set (changes whenever any policy changes). */
  version: string;
  /** tenant → policy id → policy. Every tenant has a policy named "default". */
  tenants: Record<string, Record<string, CompiledPolicy>>;
  /** What to do for a tenant not in `tenants`. */
  unknownTenant: 'default' | 'reject';
  /**
   * Tenant feedback enforced on top of the policies (reported false positives / negatives,
   * src/feedback/); absent = none. Added by the sidecar's feedback pool, never by a policy file.
   */
  feedback?: FeedbackOverlay;
}

// ---------------------------------------------------------------------------------------------
// Agent actions (CheckAction): the compiled form of spec.agents, spec.actionRules,
// spec.rateLimits, spec.behaviour and spec.actionSettings. Plain data like the rest.

/** What an agent is about to do (the proto's ActionType without the prefix). */
export type AgentActionTypeName =
  | 'TOOL_CALL'
  | 'API_CALL'
  | 'NETWORK_REQUEST'
  | 'DATABASE_QUERY'
  | 'FILE_READ'
  | 'FILE_WRITE'
  | 'MEMORY_READ'
  | 'MEMORY_WRITE'
  | 'CODE_EXEC'
  | 'AGENT_MESSAGE';

/** A rule's or the default's verdict on an action. */
export type ActionVerdictName = 'ALLOW' | 'DENY' | 'REQUIRE_APPROVAL';

/** What a behavioural signal (anomaly, goal mismatch) does to the decision. */
export type BehaviourResponse = 'FLAG' | 'REQUIRE_APPROVAL' | 'DENY';

/** One registered agent (spec.agents[]). */
export interface AgentSpec {
  id: string;
  owner: string;
  /** Action types the agent may take; empty = every type. */
  allowedActions: AgentActionTypeName[];
  description?: string;
}

/** Allow and deny lists (hostnames, or path globs). Empty allow = anything not denied. */
export interface AllowDenyLists {
  allow: string[];
  deny: string[];
}

/** A condition on one parameter (by dotted path); every condition of a rule must hold. */
export interface ParameterCheckSpec {
  /** Dotted path into the parameters, e.g. "query" or "options.method". */
  name: string;
  /** RE2; the value (as text) must match. */
  pattern?: string;
  /** RE2; the value (as text) must NOT match. */
  notPattern?: string;
  /** The value (as text) must be one of these. */
  oneOf?: string[];
  /** Numeric bounds (the value must be a number, or a numeric string). */
  min?: number;
  max?: number;
  /** Patterns ignore case unless set. */
  caseSensitive: boolean;
}

/** spec.actionRules[]: evaluated by priority (higher first), then file order; the first match decides. */
export interface ActionRuleSpec {
  id: string;
  /** Action types the rule applies to; empty = every type. */
  appliesTo: AgentActionTypeName[];
  /** Agent ids the rule applies to; empty = every agent. */
  agents: string[];
  /** Glob on the action's target ("*" = any; "?" one character). Case-sensitive. */
  target: string;
  /** Hostname lists for the action's URL ("*.example.com" = any subdomain). */
  hosts?: AllowDenyLists;
  /** Path globs for the action's path ("*" within one segment, "**" across segments). */
  paths?: AllowDenyLists;
  parameters: ParameterCheckSpec[];
  decision: ActionVerdictName;
  priority: number;
  reason?: string;
}

/** spec.rateLimits[]: a token bucket. */
export interface RateLimitSpec {
  id: string;
  /**
   * Which agents: an id (that agent), "*" (every agent, one bucket each) or "" (all agents
   * of the tenant share one bucket).
   */
  agent: string;
  /** One action type, or "" for every type (one bucket for all of them). */
  actionType: AgentActionTypeName | '';
  /** Tokens per window, and the window: the sustained rate is limit / windowMs. */
  limit: number;
  windowMs: number;
  /** Bucket capacity (largest burst); defaults to `limit`. */
  burst: number;
}

/** spec.behaviour: the behavioural baseline and what it does. */
export interface BehaviourSpec {
  enabled: boolean;
  /** Actions observed before "new target" and "unusual type" count as anomalies. */
  warmupActions: number;
  /** Weight of the newest action in the rolling score (exponential moving average). */
  scoreSmoothing: number;
  /** Score below which an agent is SUSPICIOUS. */
  suspiciousBelow: number;
  /** Score below which an agent is COMPROMISED (and quarantined when `quarantine`). */
  compromisedBelow: number;
  quarantine: boolean;
  /** An action's anomaly score at or above this counts as an anomaly. */
  anomalyThreshold: number;
  onAnomaly: BehaviourResponse;
  onGoalMismatch: BehaviourResponse;
  /** Actions in one second above this many times the agent's usual rate are a burst. */
  burstFactor: number;
  /** ...and above this absolute rate (per second), so a slow agent's second action is no burst. */
  burstMinPerSecond: number;
}

/** spec.actionSettings: defaults and built-in checks. */
export interface ActionSettingsSpec {
  /** The decision when no rule matches. */
  defaultDecision: ActionVerdictName;
  /** Hostnames (globs) and e-mail domains that are not "external" for the exfiltration check. */
  internalHosts: string[];
  builtInChecks: {
    dangerousCommands: boolean;
    privilegeEscalation: boolean;
    exfiltration: boolean;
    sensitivePaths: boolean;
    suspiciousUrls: boolean;
  };
  /** Append Scan decisions to the audit log too (actions always are). */
  auditScans: boolean;
}

/** Everything CheckAction needs from a policy. */
export interface AgentActionPolicy {
  agents: AgentSpec[];
  actionRules: ActionRuleSpec[];
  rateLimits: RateLimitSpec[];
  behaviour: BehaviourSpec;
  settings: ActionSettingsSpec;
}

/**
 * CompiledPolicy plus its agent-action part. Declared as an extension so policies built by
 * code that predates CheckAction still type-check; absent means the built-in defaults.
 */
export interface CompiledPolicy {
  agentActions?: AgentActionPolicy;
}
