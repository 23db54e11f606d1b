/**
 * Addresses reserved for documentation (RFC 5737 for IPv4, RFC 3849 for IPv6). No real
 * service listens on them, so a credential in a URI that points at one is an example from
 * a manual, not a leak. Domain names (example.com and friends) are not on the list: they
 * stand in for real hosts in configs people paste with their real passwords.
 */
const DOCUMENTATION_IPV4 = /^(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/;
const DOCUMENTATION_IPV6 = /^\[?2001:0?db8:/i;

/** True when `host` (as written in a URI, IPv6 in brackets or not) is a documentation address. */
export function isDocumentationHost(host: string): boolean {
  return DOCUMENTATION_IPV4.test(host) || DOCUMENTATION_IPV6.test(host);
}
