/**
 * Counters and histograms for the scan path. prom-client's labelled children validate and hash
 * their label object on every observe (about 1 µs each; a scan records 14 values: one per
 * detector), so these keep each label set's state in plain numbers, bound once, and hand
 * prom-client the samples only when /metrics is scraped (`get()`, the interface a Registry
 * reads from every metric). Same names, types and text output as prom-client's own.
 */
import type { Registry } from 'prom-client';

type Labels = Record<string, string | number>;

/** One sample as a Registry renders it. */
interface Sample {
  metricName?: string;
  labels: Labels;
  value: number;
}

/** What a Registry reads from a metric at scrape time. */
interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

/** What the scan path holds: increments only. */
export interface CounterChild {
  inc(by?: number): void;
}

/** What the scan path holds: one observation. */
export interface HistogramChild {
  observe(value: number): void;
}

/** Label values → child, one Map level per label: no key string is built per call. */
type ChildTree<Child> = Map<string, ChildTree<Child> | Child>;

abstract class FastMetric<Child> {
  protected readonly children: { labels: Labels; child: Child }[] = [];
  private tree: ChildTree<Child> = new Map();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  readonly aggregator = 'sum' as const;

  /** The child for these label values (in labelNames order); the same object on every call. */
  labels(...values: string[]): Child {
    let node = this.tree;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as ChildTree<Child> | undefined;
      if (!next) {
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    let child = node.get(values[last]!) as Child | undefined;
    if (child === undefined) {
      const labels: Labels = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      child = this.newChild();
      node.set(values[last]!, child);
      this.children.push({ labels, child });
    }
    return child;
  }

  reset(): void {
    this.children.length = 0;
    this.tree = new Map();
  }

  protected abstract newChild(): Child;
}

export class FastCounter extends FastMetric<CounterChild & { value: number }> {
  readonly type = 'counter' as const;

  constructor(registry: Registry, options: { name: string; help: string; labelNames: readonly string[] }) {
    super(options.name, options.help, options.labelNames, registry);
  }

  protected newChild(): CounterChild & { value: number } {
    const child = {
      value: 0,
      inc(by = 1) {
        child.value += by;
      },
    };
    return child;
  }

  get(): MetricSnapshot {
    const values = this.children.map(({ labels, child }) => ({ labels, value: child.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

interface HistogramState extends HistogramChild {
  /** Per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram extends FastMetric<HistogramState> {
  readonly type = 'histogram' as const;
  private readonly bounds: Float64Array;

  constructor(registry: Registry, options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[] }) {
    super(options.name, options.help, options.labelNames, registry);
    this.bounds = Float64Array.from([...options.buckets].sort((a, b) => a - b));
  }

  protected newChild(): HistogramState {
    const bounds = this.bounds;
    const state: HistogramState = {
      counts: new Float64Array(bounds.length + 1),
      sum: 0,
      count: 0,
      observe(value: number) {
        if (!Number.isFinite(value)) return;
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        state.counts[i]!++;
        state.sum += value;
        state.count++;
      },
    };
    return state;
  }

  get(): MetricSnapshot {
    const values: Sample[] = [];
    for (const { labels, child } of this.children) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += child.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: i < this.bounds.length ? this.bounds[i]! : '+Inf', ...labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: child.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
