/**
 * Validates a compiled policy's user-written patterns with the same compilers the detectors
 * use (so "valid at load" means "compiles in the worker"), and re-anchors their errors at the
 * line of the field in the policy file.
 */
import { compileAllowList } from '../detectors/allow-list.js';
import { compileCustomRules } from '../detectors/custom-rules.js';
import { PolicyValidationError } from './policy-error.js';
import type { CompiledPolicy } from './types.js';
import type { IssueCollector } from './validation-issues.js';

/** The detector's own message without its location prefix (we add a better one). */
function bareMessage(err: PolicyValidationError): string {
  const prefix = err.location ? `${err.location}: ` : '';
  return prefix && err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/** The field of a rule the compiler blamed ("customRules[0].pattern" → "pattern"). */
function blamedField(err: PolicyValidationError): string | undefined {
  return /^customRules\[\d+\]\.([A-Za-z]+)$/.exec(err.location ?? '')?.[1];
}

/**
 * Compiles each custom rule and allow-list pattern on its own, so that every bad pattern is
 * reported (not only the first) at its own index.
 */
export function validatePolicyPatterns(policy: CompiledPolicy, issues: IssueCollector): void {
  policy.customRules.forEach((rule, index) => {
    try {
      compileCustomRules([rule]);
    } catch (err) {
      if (!(err instanceof PolicyValidationError)) throw err;
      const field = blamedField(err);
      issues.add(['spec', 'customRules', index, ...(field ? [field] : [])], bareMessage(err));
    }
  });
  policy.allowPatterns.forEach((pattern, index) => {
    try {
      compileAllowList([pattern]);
    } catch (err) {
      if (!(err instanceof PolicyValidationError)) throw err;
      issues.add(['spec', 'allowList', index], bareMessage(err).replace(/^allow-list pattern \d+ is invalid: /, 'invalid pattern: '));
    }
  });
}
