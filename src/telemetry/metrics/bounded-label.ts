/**
 * Label values that come from outside (tenant ids, detector names) must not grow a metric
 * without bound: every distinct value is a time series in Prometheus. The first `limit`
 * distinct values keep their name; later ones share `overflow`. Values are also checked
 * against a conservative charset and length, so a value that looks like free text (an email,
 * a sentence) is never written into a label.
 */

/** Identifier-like: letters, digits, and . _ - : / (tenant ids, detector and rule names). */
const SAFE_LABEL = /^[A-Za-z0-9._:/-]{1,64}$/;

export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly overflow = 'other',
  ) {}

  /** `value` itself while fewer than `limit` distinct values were seen, else the overflow value. */
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit || !SAFE_LABEL.test(value)) return this.overflow;
    this.seen.add(value);
    return value;
  }
}
