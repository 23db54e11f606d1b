/**
 * Pre-bound metric children: prom-client's `labels()` hashes its label object on every call;
 * on the scan path we look a child up once per label combination and keep it.
 */
export class LabelChildren<Child> {
  private readonly children = new Map<string, Child>();

  constructor(private readonly bind: (...values: string[]) => Child) {}

  /** The child for these label values (in the metric's labelNames order). */
  get(...values: string[]): Child {
    const key = values.join('\u0000');
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.bind(...values);
      this.children.set(key, child);
    }
    return child;
  }
}
