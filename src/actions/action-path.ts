/**
 * The file path an action touches, normalised the way the file system will see it ("\" as
 * "/", "." and ".." resolved), and the built-in list of paths no agent should read or write.
 */
import { posix } from 'node:path';

const PATH_KEYS = ['path', 'file', 'filename', 'file_path', 'filePath', 'filepath'];

/** The path of a file action: its target, else a path-named string parameter. */
export function findActionPath(target: string, parameters: Readonly<Record<string, unknown>>): string | undefined {
  if (target !== '') return target;
  for (const key of PATH_KEYS) {
    const v = parameters[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

export interface NormalisedPath {
  path: string;
  /** NUL bytes, or a relative path that climbs out of the working directory. */
  suspicious: string[];
}

/** "C:\\x\\..\\y" → "C:/y"; "/data/../etc/passwd" → "/etc/passwd". */
export function normaliseActionPath(raw: string): NormalisedPath {
  const suspicious: string[] = [];
  if (raw.includes('\u0000')) suspicious.push('the path contains a NUL byte');
  const path = posix.normalize(raw.split('\u0000').join('').replace(/\\/g, '/'));
  if (path === '..' || path.startsWith('../')) suspicious.push('the path climbs out of the working directory');
  return { path, suspicious };
}

/**
 * Files holding credentials or system secrets. Matched on the normalised path's segments, so
 * "/home/a/.ssh/id_ed25519" and "./.env" are both caught wherever they sit.
 */
const SENSITIVE_FILES = [
  /^\/etc\/(?:shadow|gshadow|sudoers)(?:$|\/)/,
  /^\/etc\/sudoers\.d\//,
  /(?:^|\/)\.ssh\/(?:id_[^/]*|authorized_keys|known_hosts)$/,
  /(?:^|\/)\.aws\/credentials$/,
  /(?:^|\/)\.kube\/config$/,
  /(?:^|\/)\.docker\/config\.json$/,
  /(?:^|\/)\.(?:netrc|git-credentials|pgpass|npmrc|pypirc)$/,
  /(?:^|\/)\.env(?:\.[^/]*)?$/,
  /(?:^|\/)[^/]+\.(?:pem|key|p12|pfx|kdbx)$/,
  /^\/proc\/[^/]+\/(?:environ|mem)$/,
  /^\/root(?:\/|$)/,
];

/** System locations an agent must not write (reading them is ordinary). */
const SYSTEM_WRITE = /^\/(?:etc|bin|sbin|usr|boot|lib|lib64|sys|dev)(?:\/|$)/;

/** Why a normalised path is sensitive for this access, or undefined. */
export function sensitivePathReason(path: string, write: boolean): string | undefined {
  for (const re of SENSITIVE_FILES) if (re.test(path)) return 'the path is a credential or system secret file';
  if (write && SYSTEM_WRITE.test(path)) return 'the path is a system location';
  return undefined;
}
