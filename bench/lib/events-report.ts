/**
 * The events benchmark's ratios and its summary tables on stdout (Markdown, ready for
 * docs/benchmarks.md).
 */
import { ratio } from './events-deliveries.ts';
import type { RateResult } from './events-rates.ts';
import type { LatencyResult } from './events-scenarios.ts';
import type { Selection } from './events-subscribers.ts';
import { ms } from './harness.ts';

/** Rate steps (doubling until one does not keep up) and a flat-out run, with one subscription selection. */
export interface ThroughputResult {
  name: string;
  selection: Selection;
  subscriptions: number;
  steps: RateResult[];
  /** The highest step that kept up (null: not even the first). */
  maxKeptUpRate: number | null;
  flatOut: RateResult;
}

/** Candidate ÷ baseline of the fan-out statistics that matter. */
export interface LatencyRatio {
  candidate: string;
  baseline: string;
  p50: number | null;
  p99: number | null;
  lastP50: number | null;
  lastP99: number | null;
}

/** `candidate / baseline` for p50, p99 and the last subscriber's p50 and p99 (from the commit). */
export function latencyRatio(candidate: LatencyResult | undefined, baseline: LatencyResult | undefined): LatencyRatio | null {
  if (!candidate || !baseline) return null;
  const [c, b] = [candidate.latency, baseline.latency];
  return {
    candidate: candidate.name,
    baseline: baseline.name,
    p50: ratio(c.fromCommit.p50, b.fromCommit.p50),
    p99: ratio(c.fromCommit.p99, b.fromCommit.p99),
    lastP50: ratio(c.lastFromCommit.p50, b.lastFromCommit.p50),
    lastP99: ratio(c.lastFromCommit.p99, b.lastFromCommit.p99),
  };
}

/** Prints the latency and throughput tables. */
export function printSummary(latency: readonly LatencyResult[], ratios: readonly LatencyRatio[], throughput: readonly ThroughputResult[], withoutSubscribers: RateResult | null): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  const marker = latency[0]?.latency.commitMarker === 'notify' ? 'the NOTIFY of the commit as a LISTEN connection of the benchmark received it' : "the mutation's HTTP response";
  out(`Commit → delivery (ms, from ${marker}; "last" = per event, the slowest subscriber; all pairs = every (event, subscriber)):`);
  out();
  out('| scenario | subscriptions | connections | events | p50 | p99 | max | last p50 | last p99 | from response p50 / p99 | from occurredAt p50 / p99 | server CPU % | server ELU | Postgres CPU % | server µs / delivery | Postgres µs / delivery | client µs / delivery |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of latency) {
    const l = r.latency;
    out(
      `| ${r.name} | ${r.subscriptions} | ${r.connections} | ${r.events} | ${ms(l.fromCommit.p50)} | ${ms(l.fromCommit.p99)} | ${ms(l.fromCommit.max)} | ` +
        `${ms(l.lastFromCommit.p50)} | ${ms(l.lastFromCommit.p99)} | ${ms(l.fromResponse.p50)} / ${ms(l.fromResponse.p99)} | ${ms(l.fromOccurredAt.p50)} / ${ms(l.fromOccurredAt.p99)} | ` +
        `${r.load.server.cpuPercent} | ${r.load.server.eventLoopUtilization} | ${r.load.postgresCpuPercent ?? '–'} | ${r.serverCpuMicrosPerDelivery} | ${r.postgresCpuMicrosPerDelivery ?? '–'} | ${r.benchCpuMicrosPerDelivery} |`,
    );
    if (r.timeouts > 0 || r.lagging > 0 || r.otherEnded > 0 || r.latency.complete < r.events) {
      out(`WARNING: ${r.name}: ${r.latency.complete}/${r.events} events reached every subscriber, ${r.timeouts} timeouts, ${r.lagging} lagging, ${r.otherEnded} other ends ${r.errorExamples.join(' | ')}`);
    }
  }
  if (latency.some((r) => r.statementsPerEvent.length > 0)) {
    out();
    out('SQL statements the server sent per event, all and the most frequent other than BEGIN/COMMIT (first 80 characters):');
    out();
    out('| scenario | all | most frequent |');
    out('|---|---:|---|');
    for (const r of latency) {
      const [all, ...rest] = r.statementsPerEvent;
      const top = rest.filter((s) => s.statement !== 'BEGIN' && s.statement !== 'COMMIT').slice(0, 2);
      out(`| ${r.name} | ${all?.perEvent ?? '–'} | ${top.map((s) => `${s.perEvent} × \`${s.statement.replaceAll('|', '\\|')}\``).join('<br>')} |`);
    }
  }
  if (ratios.length > 0) {
    out();
    out('| ratio | p50 | p99 | last p50 | last p99 |');
    out('|---|---:|---:|---:|---:|');
    for (const r of ratios) out(`| ${r.candidate} ÷ ${r.baseline} | ${r.p50 ?? '–'} | ${r.p99 ?? '–'} | ${r.lastP50 ?? '–'} | ${r.lastP99 ?? '–'} |`);
  }
  const rows = throughput.flatMap((t) => [...t.steps, t.flatOut].map((r) => ({ name: t.name, r })));
  if (withoutSubscribers) rows.push({ name: 'no subscribers', r: withoutSubscribers });
  if (rows.length > 0) {
    out();
    out('Sustained writes (deliveries/s = deliveries that arrived within the write window ÷ its length):');
    out();
    out('| run | target events/s | subscriptions | committed events/s | deliveries/s | needed deliveries/s | p50 ms | p99 ms | last p99 ms | drain s | lagging | kept up | server CPU % | server ELU | Postgres CPU % | client CPU % | machine CPU % |');
    out('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|');
    for (const { name, r } of rows) {
      const target = r.targetRate === null ? `flat out, ${r.writers} writers` : String(r.targetRate);
      const l = r.latency;
      out(
        `| ${name} | ${target} | ${r.subscriptions} | ${r.write.committedPerSecond} | ${r.subscriptions ? r.deliveredPerSecond : '–'} | ${r.subscriptions ? r.neededDeliveriesPerSecond : '–'} | ` +
          `${l ? ms(l.fromCommit.p50) : '–'} | ${l ? ms(l.fromCommit.p99) : '–'} | ${l ? ms(l.lastFromCommit.p99) : '–'} | ${r.drainSeconds ?? '–'} | ${r.lagging} | ` +
          `${r.subscriptions ? (r.keptUp ? 'yes' : '**no**') : '–'} | ${r.load.server.cpuPercent} | ${r.load.server.eventLoopUtilization} | ${r.load.postgresCpuPercent ?? '–'} | ${r.load.benchCpuPercent} | ${r.load.machineCpuPercent} |`,
      );
      if (r.write.failed > 0) out(`WARNING: ${r.write.failed} writes failed: ${r.write.errorExamples.join(' | ')}`);
      if (r.write.skipped > 0) out(`(${name}, ${target}: ${r.write.skipped} writes not sent within the step: the server did not take the rate)`);
    }
    for (const t of throughput) out(`${t.name}: highest rate kept up with ${t.subscriptions} subscribers: ${t.maxKeptUpRate ?? 'none'} events/s`);
  }
}
