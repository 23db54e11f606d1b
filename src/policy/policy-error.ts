/**
 * A policy document (or a part of it, such as a custom rule's pattern) is invalid.
 * The message names the place: file, line and field path, and the rule id where there is one.
 */
export class PolicyValidationError extends Error {
  constructor(
    message: string,
    /** e.g. "policy.yaml:12 spec.customRules[0].pattern" */
    readonly location?: string,
  ) {
    super(location ? `${location}: ${message}` : message);
    this.name = 'PolicyValidationError';
  }
}
