// STUB: replaced by the real loader.
import type { PolicySet } from './types.js';
import { PolicyValidationError } from './policy-error.js';

/** Parses and compiles a multi-document YAML policy file's text. Throws PolicyValidationError. */
export function parsePolicySet(_yamlText: string, _sourceName: string): PolicySet {
  throw new PolicyValidationError('not implemented');
}

/** Reads and compiles a policy file. Throws PolicyValidationError (or a file-system error). */
export function loadPolicySetFromFile(_path: string): PolicySet {
  throw new PolicyValidationError('not implemented');
}

/** The built-in default policy set: tenant "default" only; unknown tenants get it. */
export function defaultPolicySet(): PolicySet {
  throw new PolicyValidationError('not implemented');
}
