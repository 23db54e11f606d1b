/**
 * Policy documents of `-f FILE|DIR` for the GitOps commands: the sidecar's file format
 * (multi-document YAML), one stored policy per `kind: Policy` document, named by
 * metadata.name ("default" when absent, as the sidecar does). A directory means its *.yaml
 * and *.yml files, in name order, not recursive. PolicySettings documents have no place in
 * the control plane and are reported as skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PolicyValidationError } from '../policy/policy-error.js';
import { canonicalJson } from '../policy/policy-version.js';

export interface PolicyDocument {
  policyId: string;
  /** The document's own text (comments kept): what is stored as the policy's YAML. */
  yaml: string;
  /** "file.yaml" or "file.yaml#2" for the second document of a file. */
  source: string;
}

export interface ReadDocuments {
  documents: PolicyDocument[];
  skipped: string[];
}

function filesOf(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

export function readPolicyDocuments(path: string): ReadDocuments {
  const documents: PolicyDocument[] = [];
  const skipped: string[] = [];
  const seen = new Map<string, string>();
  for (const file of filesOf(path)) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    const list = Array.isArray(docs) ? docs : [];
    list.forEach((doc, i) => {
      if (doc.errors.length > 0) throw new PolicyValidationError(`YAML syntax error: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`, file);
      if (doc.contents === null) return;
      const source = list.length > 1 ? `${file}#${i + 1}` : file;
      const kind: unknown = doc.get('kind');
      if (kind !== 'Policy') {
        skipped.push(`${source} (kind ${String(kind)})`);
        return;
      }
      const name: unknown = doc.getIn(['metadata', 'name']);
      const policyId = typeof name === 'string' ? name : 'default';
      const first = seen.get(policyId);
      if (first) throw new PolicyValidationError(`policy "${policyId}" is defined twice (first in ${first})`, source);
      seen.set(policyId, source);
      documents.push({ policyId, yaml: doc.toString(), source });
    });
  }
  if (documents.length === 0) throw new PolicyValidationError('no kind: Policy documents found', path);
  return { documents, skipped };
}

/** Whether two policy texts say the same thing (comments, layout and key order aside). */
export function sameContent(a: string, b: string): boolean {
  const value = (text: string): string => {
    const docs = parseAllDocuments(text);
    return canonicalJson((Array.isArray(docs) ? docs : []).filter((d) => d.contents !== null).map((d) => d.toJS()));
  };
  try {
    return value(a) === value(b);
  } catch {
    return false;
  }
}
