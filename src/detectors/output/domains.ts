/**
 * Domain lists and host helpers shared by the exfiltration and malicious-URL detectors.
 *
 * Well-known documentation domains: sites an answer commonly links to whose access logs an
 * attacker cannot read, so data in a link to them does not reach the attacker. Sites that
 * host anyone's content under their name (github.io, pages.dev, readthedocs.io, blob
 * storage) are deliberately absent.
 */

/** Each entry covers its subdomains. */
export const WELL_KNOWN_DOMAINS: readonly string[] = [
  'developer.mozilla.org', 'docs.python.org', 'python.org', 'peps.python.org', 'pypi.org', 'nodejs.org', 'npmjs.com',
  'typescriptlang.org', 'github.com', 'gitlab.com', 'bitbucket.org', 'wikipedia.org', 'wikimedia.org', 'stackoverflow.com',
  'stackexchange.com', 'serverfault.com', 'superuser.com', 'learn.microsoft.com', 'docs.microsoft.com', 'developer.apple.com',
  'docs.aws.amazon.com', 'aws.amazon.com', 'cloud.google.com', 'developers.google.com', 'developer.android.com', 'docs.oracle.com',
  'openjdk.org', 'kubernetes.io', 'docs.docker.com', 'rust-lang.org', 'docs.rs', 'crates.io', 'go.dev', 'golang.org',
  'ruby-lang.org', 'rubygems.org', 'php.net', 'perl.org', 'cpan.org', 'gnu.org', 'kernel.org', 'man7.org', 'debian.org',
  'ubuntu.com', 'archlinux.org', 'fedoraproject.org', 'redhat.com', 'postgresql.org', 'mysql.com', 'sqlite.org', 'redis.io',
  'mongodb.com', 'nginx.org', 'apache.org', 'w3.org', 'whatwg.org', 'ietf.org', 'rfc-editor.org', 'iana.org', 'unicode.org',
  'owasp.org', 'mitre.org', 'cve.org', 'nist.gov', 'react.dev', 'reactjs.org', 'angular.io', 'vuejs.org', 'svelte.dev',
  'nextjs.org', 'djangoproject.com', 'flask.palletsprojects.com', 'spring.io', 'dotnet.microsoft.com', 'cppreference.com',
  'isocpp.org', 'llvm.org', 'gcc.gnu.org', 'pytorch.org', 'tensorflow.org', 'numpy.org', 'pandas.pydata.org', 'scipy.org',
  'scikit-learn.org', 'huggingface.co', 'arxiv.org', 'doi.org', 'json-schema.org', 'yaml.org', 'semver.org', 'git-scm.com',
  'grpc.io', 'protobuf.dev', 'opentelemetry.io', 'prometheus.io', 'terraform.io', 'hashicorp.com', 'ansible.com',
];

/** Link shorteners: the destination is hidden from the reader (and from allow-lists). */
export const URL_SHORTENERS: readonly string[] = [
  'bit.ly', 'bitly.com', 'tinyurl.com', 't.co', 'goo.gl', 'ow.ly', 'is.gd', 'v.gd', 'buff.ly', 'rebrand.ly', 'cutt.ly',
  'shorturl.at', 'tiny.cc', 'rb.gy', 'bl.ink', 's.id', 't.ly', 'lnkd.in', 'soo.gd', 'shorte.st', 'adf.ly', 'bit.do',
  'qr.ae', 'tr.im', 'x.co', 'clck.ru', 'u.to', 'short.io', 'surl.li', 'tiny.one', 'shorturl.asia', 'urlz.fr', 'cli.gs',
];

/** True when `host` is `domain` or one of its subdomains. Both lower case. */
export function hostMatches(host: string, domain: string): boolean {
  return host === domain || (host.length > domain.length && host.endsWith(domain) && host.charCodeAt(host.length - domain.length - 1) === 46);
}

/** True when `host` matches any domain of the list. */
export function hostInList(host: string, domains: readonly string[]): boolean {
  for (const d of domains) if (hostMatches(host, d)) return true;
  return false;
}

/**
 * Second-level labels under which registrations happen one level deeper ("example.co.uk"). A
 * small stand-in for the Public Suffix List: enough to tell a subdomain from the name a
 * party registered for the common country domains.
 */
const SECOND_LEVEL_SUFFIXES = new Set(['co', 'com', 'net', 'org', 'gov', 'ac', 'edu', 'or', 'ne', 'go', 'gob', 'nic', 'mil', 'ltd', 'plc']);

/** The registrable part of a host ("a.b.example.co.uk" → "example.co.uk"); the host itself for IPs. */
export function registrableDomain(host: string): string {
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const tld = labels[labels.length - 1] as string;
  const second = labels[labels.length - 2] as string;
  const keep = tld.length === 2 && SECOND_LEVEL_SUFFIXES.has(second) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** True for IPv4 dotted quads and bracketed IPv6 (as WHATWG URL writes hostnames). */
export function isIpLiteral(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return true;
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
}
