/**
 * The events benchmark's writers: `createArtifact` mutations over HTTP (an `ORG` note each, so
 * every subscriber may see its ARTIFACT_CREATED event), one at a time for latency, at a fixed
 * rate (open loop: issued on schedule whatever the server's pace, up to a cap of requests in
 * flight) or as fast as a few concurrent writers can (closed loop) for throughput.
 */
import type { DeliveryLog } from './events-deliveries.ts';
import { gqlRequest } from './events-people.ts';

const CREATE = 'mutation($c: String!) { createArtifact(input: { kind: "note", content: $c, visibility: ORG }) { id } }';

let written = 0;

/** An error with its cause (fetch's `TypeError: fetch failed` hides the socket error there). */
export function describeError(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? ` (cause: ${error.cause instanceof Error ? `${(error.cause as NodeJS.ErrnoException).code ?? ''} ${error.cause.message}` : String(error.cause)})` : '';
  return `${String(error)}${cause}`.slice(0, 300);
}

/** Creates one artifact as `key`; records its send and response times; returns its global id. */
export async function writeEvent(url: string, key: string, log: DeliveryLog): Promise<string> {
  written += 1;
  const content = `events benchmark note ${written} ${Date.now()}`;
  const sentAt = performance.now();
  const data = await gqlRequest<{ createArtifact: { id: string } }>(url, key, CREATE, { c: content });
  const respondedAt = performance.now();
  log.committed(data.createArtifact.id, sentAt, respondedAt);
  return data.createArtifact.id;
}

/** What a run of writes achieved. */
export interface WriteRun {
  /** Events per second asked for (null: as fast as possible). */
  targetRate: number | null;
  writers: number;
  /** performance.now() of the first send and of the last response. */
  startedAt: number;
  endedAt: number;
  committed: number;
  failed: number;
  /** Open loop: writes still unsent when the step's time was up (the server did not take the rate). */
  skipped: number;
  /** max(seconds asked for, endedAt − startedAt). */
  windowSeconds: number;
  /** committed / windowSeconds. */
  committedPerSecond: number;
  /** Open loop: how late the latest write was issued behind its schedule (ms; the in-flight cap was hit). */
  maxLatenessMs: number;
  ids: string[];
  errorExamples: string[];
}

/** The write window is at least the `seconds` asked for (the span of sends and responses when longer). */
function finish(run: Omit<WriteRun, 'committedPerSecond' | 'windowSeconds'>, seconds: number): WriteRun {
  const windowSeconds = Math.max(seconds, (run.endedAt - run.startedAt) / 1000);
  return { ...run, windowSeconds: Math.round(windowSeconds * 100) / 100, committedPerSecond: Math.round((run.committed / windowSeconds) * 10) / 10 };
}

/**
 * Issues `rate` events per second for `seconds` (rate·seconds writes on a fixed schedule),
 * rotating over `keys`, with at most `maxInFlight` requests outstanding.
 */
export async function writeAtRate(options: {
  url: string;
  keys: readonly string[];
  rate: number;
  seconds: number;
  maxInFlight: number;
  log: DeliveryLog;
}): Promise<WriteRun> {
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const interval = 1000 / options.rate;
  const ids: string[] = [];
  const errorExamples: string[] = [];
  let failed = 0;
  let maxLatenessMs = 0;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const pending = new Set<Promise<void>>();
  const startedAt = performance.now();
  const deadline = startedAt + options.seconds * 1000;
  let endedAt = startedAt;
  let skipped = 0;
  for (let i = 0; i < total; i += 1) {
    const due = startedAt + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight >= options.maxInFlight) await new Promise<void>((resolve) => (slotFreed = resolve));
    // A server that cannot take the rate does not stretch the step: what is still unsent at the end is skipped.
    if (performance.now() >= deadline) {
      skipped = total - i;
      break;
    }
    maxLatenessMs = Math.max(maxLatenessMs, performance.now() - due);
    inFlight += 1;
    const p: Promise<void> = writeEvent(options.url, options.keys[i % options.keys.length]!, options.log).then(
      (id) => {
        ids.push(id);
        endedAt = performance.now();
      },
      (error: unknown) => {
        failed += 1;
        if (errorExamples.length < 5) errorExamples.push(describeError(error));
      },
    );
    pending.add(p);
    void p.finally(() => {
      pending.delete(p);
      inFlight -= 1;
      const resolve = slotFreed;
      slotFreed = undefined;
      resolve?.();
    });
  }
  await Promise.all(pending);
  return finish(
    { targetRate: options.rate, writers: options.maxInFlight, startedAt, endedAt, committed: ids.length, failed, skipped, maxLatenessMs: Math.round(maxLatenessMs), ids, errorExamples },
    options.seconds,
  );
}

/** `writers` concurrent loops, each writing one event after another, for `seconds`. */
export async function writeFlatOut(options: { url: string; keys: readonly string[]; writers: number; seconds: number; log: DeliveryLog }): Promise<WriteRun> {
  const ids: string[] = [];
  const errorExamples: string[] = [];
  let failed = 0;
  const startedAt = performance.now();
  const deadline = startedAt + options.seconds * 1000;
  let endedAt = startedAt;
  await Promise.all(
    Array.from({ length: options.writers }, async (_, w) => {
      const key = options.keys[w % options.keys.length]!;
      while (performance.now() < deadline) {
        try {
          ids.push(await writeEvent(options.url, key, options.log));
          endedAt = performance.now();
        } catch (error) {
          failed += 1;
          if (errorExamples.length < 5) errorExamples.push(describeError(error));
        }
      }
    }),
  );
  return finish({ targetRate: null, writers: options.writers, startedAt, endedAt, committed: ids.length, failed, skipped: 0, maxLatenessMs: 0, ids, errorExamples }, options.seconds);
}
