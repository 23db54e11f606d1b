/**
 * Secrets inside stored policy documents, hidden from admin read responses. A policy may
 * carry `spec.hashSalt` (the key of the `hash` operator: whoever knows it can test guesses
 * against hashed values in records and logs). Encryption keys never appear in a document
 * (`spec.encryption.keyEnv` names an environment variable), so the salt is the one secret.
 *
 * Who sees it: the `policy.secrets.read` permission (admin). Viewers and editors get
 * `hashSalt: REDACTED`; the marker is deliberately shorter than the 16 characters a salt
 * needs, so an editor who round-trips a redacted document gets a validation error instead of
 * silently replacing the tenant's salt.
 */
import { isMap, parseDocument } from 'yaml';

export const REDACTED_SECRET = 'REDACTED';
const SECRET_PATHS: readonly (readonly string[])[] = [['spec', 'hashSalt']];

/** `yaml` with every secret value replaced by {@link REDACTED_SECRET}; unchanged text when there is none. */
export function redactPolicySecrets(yaml: string): string {
  if (!yaml.includes('hashSalt')) return yaml;
  const doc = parseDocument(yaml);
  // Stored documents were validated; one that no longer parses is withheld rather than leaked.
  if (doc.errors.length > 0 || !isMap(doc.contents)) return `# withheld: the document could not be parsed to redact its secrets\n`;
  let changed = false;
  for (const path of SECRET_PATHS) {
    if (doc.hasIn(path)) {
      doc.setIn(path, REDACTED_SECRET);
      changed = true;
    }
  }
  return changed ? doc.toString() : yaml;
}
