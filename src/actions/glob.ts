/**
 * Globs from policies (targets, paths) compiled once to anchored RE2 programs: policy text is
 * untrusted input to a matcher that runs on every action, so matching must be linear-time.
 * Globs without wildcards compile to plain string equality.
 */
import RE2 from 're2';

/** A compiled glob. */
export type GlobMatcher = (value: string) => boolean;

const SPECIAL = /[\\^$.|+(){}[\]]/g;

function escapeLiteral(text: string): string {
  return text.replace(SPECIAL, (c) => `\\${c}`);
}

/**
 * `mode: 'target'`: `*` is any run of characters, `?` one character.
 * `mode: 'path'`: `**` crosses "/", `*` and `?` stay inside one segment.
 */
export function compileGlob(glob: string, mode: 'target' | 'path'): GlobMatcher {
  if (glob === '*' && mode === 'target') return () => true;
  if (glob === '**') return () => true;
  if (!/[*?]/.test(glob)) return (value) => value === glob;
  let body = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (mode === 'path' && glob[i + 1] === '*') {
        body += '.*';
        i++;
      } else {
        body += mode === 'path' ? '[^/]*' : '.*';
      }
    } else if (c === '?') {
      body += mode === 'path' ? '[^/]' : '.';
    } else {
      body += escapeLiteral(c);
    }
  }
  const re = new RE2(`^${body}$`, 's');
  return (value) => re.test(value);
}

/** True when any of the globs matches. */
export function anyGlob(matchers: readonly GlobMatcher[], value: string): boolean {
  for (const m of matchers) if (m(value)) return true;
  return false;
}
