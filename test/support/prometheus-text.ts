/** The samples of a Prometheus text exposition, for specs: `value(name, labels)` is the sample with exactly these labels. */
export class PrometheusText {
  private readonly samples: { name: string; labels: Record<string, string>; value: number }[] = [];

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
      this.samples.push({ name: match[1], labels, value: Number(match[3]) });
    }
  }

  /** 0 when no such sample is exposed yet (a counter with labels appears on its first increment). */
  value(name: string, labels: Record<string, string> = {}): number {
    const wanted = Object.entries(labels);
    const found = this.samples.find(
      (sample) => sample.name === name && Object.keys(sample.labels).length === wanted.length && wanted.every(([key, value]) => sample.labels[key] === value),
    );
    return found?.value ?? 0;
  }

  has(name: string): boolean {
    return this.samples.some((sample) => sample.name === name);
  }

  labelValues(name: string, label: string): string[] {
    return [...new Set(this.samples.filter((sample) => sample.name === name && label in sample.labels).map((sample) => sample.labels[label]))];
  }
}
