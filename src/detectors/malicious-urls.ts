/**
 * Suspicious URLs in content (OWASP LLM05; MITRE ATLAS AML.T0052 Phishing): links whose
 * target is hidden or disguised rather than data-carrying (that is data-exfiltration.ts):
 *  - url-script-scheme   javascript:/vbscript: targets;
 *  - url-data-uri        data: targets (HTML, SVG and scripts high; plain images low);
 *  - url-ip-literal      a public IP address as host (private ranges low, loopback ignored;
 *                        the cloud metadata address high);
 *  - url-shortener       a link shortener (the destination is hidden);
 *  - url-lookalike       a punycode or ASCII host imitating an allow-listed, documentation or
 *                        major brand domain (homoglyphs folded, one edit away, or the real
 *                        name used as a subdomain of another);
 *  - url-punycode        other internationalised (xn--) hosts, low;
 *  - url-userinfo        a domain-looking user name before "@" that hides the real host.
 */
import { domainToUnicode } from 'node:url';
import { DEFAULT_OUTPUT_GUARDS } from '../policy/default-policy.js';
import { hostInList, isIpLiteral, registrableDomain, URL_SHORTENERS, WELL_KNOWN_DOMAINS } from './output/domains.js';
import { linksOf, type LinkOccurrence } from './output/link-extraction.js';
import type { Detector, DetectorFactory, DetectorInput, Finding, SeverityName } from './types.js';

export const MALICIOUS_URL_DETECTOR_ID = 'malicious-urls';

/** Brands phishing imitates most, besides the allow-list and documentation domains. */
const IMITATED_BRANDS: readonly string[] = [
  'google.com', 'microsoft.com', 'apple.com', 'amazon.com', 'paypal.com', 'facebook.com', 'instagram.com', 'linkedin.com',
  'netflix.com', 'dropbox.com', 'office.com', 'live.com', 'outlook.com', 'icloud.com', 'openai.com', 'chase.com',
  'wellsfargo.com', 'bankofamerica.com', 'coinbase.com', 'binance.com', 'okta.com', 'slack.com', 'zoom.us', 'docusign.com',
];

/** Cyrillic and Greek letters that render like Latin ones (skeleton folding for host names). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w',
  α: 'a', ο: 'o', ν: 'v', ρ: 'p', τ: 't', κ: 'k', ι: 'i', ε: 'e', υ: 'u', χ: 'x', ß: 'ss', ı: 'i', ł: 'l', ø: 'o',
};

interface Verdict {
  ruleId: string;
  confidence: number;
  severity: SeverityName;
  description: string;
}

/** Builds the detector, or null when the policy switches it off. */
export const createMaliciousUrlDetector: DetectorFactory = (policy) => {
  const guards = policy.outputGuards ?? DEFAULT_OUTPUT_GUARDS;
  if (!guards.maliciousUrls.enabled) return null;
  const protectedDomains = [...new Set([...guards.exfiltration.allowedDomains, ...WELL_KNOWN_DOMAINS, ...IMITATED_BRANDS])];
  return new MaliciousUrlDetector(protectedDomains);
};

class MaliciousUrlDetector implements Detector {
  readonly id = MALICIOUS_URL_DETECTOR_ID;
  readonly produces = ['MALICIOUS_URL'] as const;
  private readonly registrable: ReadonlySet<string>;
  /** Per protected registrable domain, the strings that give its name away as a label (precomputed). */
  private readonly asLabel: ReadonlyArray<{ domain: string; prefix: string; infix: string; dashed: string }>;

  constructor(private readonly protectedDomains: readonly string[]) {
    this.registrable = new Set(protectedDomains.map(registrableDomain));
    this.asLabel = [...this.registrable]
      .filter((d) => d.length >= 8)
      .map((domain) => ({ domain, prefix: `${domain}.`, infix: `.${domain}.`, dashed: `${domain.replace('.', '-')}.` }));
  }

  detect(input: DetectorInput): Finding[] {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    const hostVerdicts = new Map<string, Verdict | null>();
    for (const link of linksOf(input.text)) {
      const verdict = this.judge(link, hostVerdicts);
      const key = `${link.span.start}:${verdict?.ruleId}`;
      if (verdict === null || seen.has(key)) continue;
      seen.add(key);
      findings.push({
        type: 'MALICIOUS_URL',
        severity: verdict.severity,
        confidence: verdict.confidence,
        detector: this.id,
        ruleId: verdict.ruleId,
        spans: [link.span],
        owaspId: 'LLM05',
        atlasTechnique: 'AML.T0052',
        description: verdict.description,
      });
    }
    return findings;
  }

  private judge(link: LinkOccurrence, hostVerdicts: Map<string, Verdict | null>): Verdict | null {
    const raw = link.url.trim();
    // Browsers ignore tabs, newlines and control characters inside a scheme ("java\tscript:").
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw.replace(/[\s\u0000-\u001f]+/g, ''))?.[1]?.toLowerCase();
    if (scheme === 'javascript' || scheme === 'vbscript') {
      return { ruleId: 'url-script-scheme', confidence: 0.85, severity: 'HIGH', description: 'A link runs script when followed (javascript: or vbscript: URI).' };
    }
    if (scheme === 'data') {
      const image = /^data:image\/(?:png|jpe?g|gif|webp|bmp|avif)[;,]/i.test(raw);
      return image
        ? { ruleId: 'url-data-uri', confidence: 0.4, severity: 'LOW', description: 'An inline data: image.' }
        : { ruleId: 'url-data-uri', confidence: 0.75, severity: 'HIGH', description: 'A data: URI that can carry a page or script.' };
    }
    let url: URL;
    try {
      url = new URL(raw.startsWith('//') ? `https:${raw}` : raw);
    } catch {
      return null;
    }
    if (!['http:', 'https:', 'ftp:', 'ws:', 'wss:'].includes(url.protocol) || url.hostname === '') return null;
    const host = url.hostname.toLowerCase();
    if (url.username && /\.[a-z]{2,}$/i.test(decodeURIComponent(url.username))) {
      return { ruleId: 'url-userinfo', confidence: 0.75, severity: 'HIGH', description: 'A domain-like user name before "@" hides the real host.' };
    }
    let verdict = hostVerdicts.get(host);
    if (verdict === undefined) {
      verdict = this.hostVerdict(host);
      hostVerdicts.set(host, verdict);
    }
    return verdict;
  }

  /** What the host alone says (answers repeat hosts, so this is cached per scan). */
  private hostVerdict(host: string): Verdict | null {
    if (isIpLiteral(host)) return ipVerdict(host);
    if (hostInList(host, URL_SHORTENERS)) {
      return { ruleId: 'url-shortener', confidence: 0.55, severity: 'MEDIUM', description: 'A link shortener hides the destination.' };
    }
    if (hostInList(host, this.protectedDomains)) return null;
    const imitated = this.imitates(host);
    if (imitated) {
      return { ruleId: 'url-lookalike', confidence: 0.85, severity: 'HIGH', description: `A host name imitates a trusted domain (${imitated}).` };
    }
    if (host.split('.').some((l) => l.startsWith('xn--'))) {
      return { ruleId: 'url-punycode', confidence: 0.45, severity: 'LOW', description: 'An internationalised (punycode) host name.' };
    }
    return null;
  }

  /** How `host` imitates a protected domain, or null. */
  private imitates(host: string): string | null {
    const skeleton = skeletonOf(host);
    const registrable = registrableDomain(skeleton);
    if (skeleton !== host && (this.registrable.has(registrable) || hostInList(skeleton, this.protectedDomains))) return 'look-alike characters';
    // "github.com.login-check.io", "paypal-com.secure.example": the real name as a label.
    for (const { prefix, infix, dashed } of this.asLabel) {
      // "amazon.com.au" is the brand's own country domain, not an imitation.
      if (registrable.startsWith(prefix)) continue;
      if (skeleton.startsWith(prefix) || skeleton.includes(infix) || skeleton.startsWith(dashed)) return 'trusted name used as a subdomain';
    }
    if (registrable.length >= 8) {
      for (const domain of this.registrable) {
        if (domain !== registrable && Math.abs(domain.length - registrable.length) <= 1 && oneEditApart(domain, registrable)) return 'one character off';
      }
    }
    return null;
  }
}

function ipVerdict(host: string): Verdict | null {
  const ip = host.replace(/^\[|\]$/g, '');
  if (ip === '169.254.169.254' || ip === 'fd00:ec2::254') {
    return { ruleId: 'url-ip-literal', confidence: 0.7, severity: 'HIGH', description: 'A link to the cloud instance metadata address.' };
  }
  if (/^(?:127\.|0\.0\.0\.0$)/.test(ip) || ip === '::1') return null;
  if (/^(?:10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|169\.254\.|f[cd][0-9a-f]{2}:|fe80:)/i.test(ip)) {
    return { ruleId: 'url-ip-literal', confidence: 0.45, severity: 'LOW', description: 'A link to a private IP address.' };
  }
  return { ruleId: 'url-ip-literal', confidence: 0.6, severity: 'MEDIUM', description: 'A link to a raw public IP address instead of a domain name.' };
}

/** The host with punycode decoded and look-alike letters folded to Latin. */
function skeletonOf(host: string): string {
  const unicode = host.includes('xn--') ? domainToUnicode(host) || host : host;
  let out = '';
  for (const ch of unicode.normalize('NFKC').toLowerCase()) out += CONFUSABLES[ch] ?? ch;
  return out;
}

/** True when one substitution, insertion or deletion turns `a` into `b` (and a !== b). */
function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  if (a.length === b.length) {
    let diff = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && ++diff > 1) return false;
    return true;
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  let j = 0;
  let skipped = false;
  while (i < short.length && j < long.length) {
    if (short[i] === long[j]) {
      i++;
      j++;
    } else if (skipped) {
      return false;
    } else {
      skipped = true;
      j++;
    }
  }
  return true;
}
