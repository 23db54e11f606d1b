/** The `--policy FILE` flag shared by several commands: a policy file, or the built-in default. */
import type { PolicySet } from '../policy/types.js';
import { defaultPolicySet, loadPolicySetFromFile } from '../policy/load-policy.js';
import { PolicyValidationError } from '../policy/policy-error.js';

/**
 * Loads the policy set named by `--policy`, or the built-in default when absent. A file
 * that cannot be read becomes a PolicyValidationError naming the file and the OS reason,
 * so every caller reports policy problems the same way (exit code 1).
 */
export function loadPolicyFlag(path: string | undefined): PolicySet {
  if (path === undefined) return defaultPolicySet();
  try {
    return loadPolicySetFromFile(path);
  } catch (err) {
    if (err instanceof PolicyValidationError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new PolicyValidationError(`cannot read policy file: ${reason}`, path);
  }
}
