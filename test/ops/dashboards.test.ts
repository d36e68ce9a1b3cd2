import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createMetrics } from '../../src/ops/metrics.ts';

const read = (path: string) => readFileSync(new URL(`../../deploy/${path}`, import.meta.url), 'utf8');

/** Names the daemon exports, with a histogram's _bucket/_sum/_count series; the lease adds the leader gauge. */
async function exportedNames(): Promise<Set<string>> {
  const names = (await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map(
    (m) => m.name,
  );
  const series = names.flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]);
  // connect_fulfillment_leader comes with the lease (replicas, issue 13).
  return new Set([...series, 'connect_fulfillment_leader']);
}

const usedIn = (text: string) => [...new Set(text.match(/connect_fulfillment_\w+/g) ?? [])];

describe('deploy/ dashboards and alerts', () => {
  it('the Grafana dashboard is valid JSON whose panels each query only exported metrics', async () => {
    const known = await exportedNames();
    const dashboard = JSON.parse(read('grafana/connect-fulfillment.json')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) {
      expect({ panel: panel.title, targets: panel.targets.length > 0 }).toEqual({
        panel: panel.title,
        targets: true,
      });
      const unknown = panel.targets.flatMap((t) => usedIn(t.expr)).filter((name) => !known.has(name));
      expect({ panel: panel.title, unknown }).toEqual({ panel: panel.title, unknown: [] });
    }
    const titles = dashboard.panels.map((p) => p.title).join('\n');
    for (const wanted of [
      /cycles/i,
      /outcomes/i,
      /errors/i,
      /API calls/i,
      /retries/i,
      /pauses/i,
      /lease/i,
      /handler duration/i,
    ])
      expect(titles).toMatch(wanted);
  });

  it('the alert rules use only exported metrics', async () => {
    const known = await exportedNames();
    expect(usedIn(read('prometheus/alerts.yaml')).filter((name) => !known.has(name))).toEqual([]);
  });

  it('every `by (...)` label of the dashboard and the alerts is one the queried metrics carry', () => {
    const labels = new Map(
      createMetrics({ defaultMetrics: false })
        .registry.getMetricsAsArray()
        .map((m) => [m.name, (m as unknown as { labelNames: string[] }).labelNames] as const),
    );
    // Prometheus adds job and instance to every series; histogram buckets carry le.
    const carried = (expr: string) =>
      new Set([
        'job',
        'instance',
        'le',
        ...usedIn(expr).flatMap((name) => labels.get(name.replace(/_(bucket|sum|count)$/, '')) ?? []),
      ]);
    const dashboard = JSON.parse(read('grafana/connect-fulfillment.json')) as {
      panels: Array<{ targets: Array<{ expr: string }> }>;
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...read('prometheus/alerts.yaml').split(/\n\s*-\s*alert:/),
    ];
    const wrong = exprs.flatMap((expr) =>
      [...expr.matchAll(/\bby \(([^)]*)\)/g)]
        .flatMap((m) => m[1]!.split(',').map((l) => l.trim()))
        .filter((label) => !carried(expr).has(label))
        .map((label) => `${label} in ${expr.trim().slice(0, 80)}`),
    );
    expect(wrong).toEqual([]);
    expect(exprs.join('\n')).toMatch(/by \(kind, outcome\)/);
  });
});
