/**
 * A deterministic model of a server with workers, for the tuners' tests: each call waits `latencyMs` (the network,
 * before a worker), then for a free worker (first come, first served), then holds it for `callMs + records × recordMs`.
 * A client keeps `limit` calls in flight, as the tuners say, and sends `total` records. Event-driven on a virtual
 * clock: the same inputs give the same figures, whatever the machine does.
 */
import type { ChunkSample } from '../../../../src/batch/tuning/chunk-sample.js';

/** The modelled server. */
export interface ModelServer {
  readonly workers: number;
  readonly latencyMs: number;
  readonly callMs: number;
  readonly recordMs: number;
}

/** How a simulated client chooses its settings and learns. */
export interface SimulatedClient {
  limit(): number;
  chunkSize(): number;
  observe(sample: ChunkSample, now: number): void;
}

/** Runs `client` against `server` until `total` records are written; resolves to the records per second. */
export function simulate(server: ModelServer, client: SimulatedClient, total: number): number {
  let now = 0;
  let sent = 0;
  let inFlight = 0;
  const workerFree: number[] = Array.from({ length: server.workers }, () => 0);
  // Calls in flight, by the time they answer.
  const pending: { end: number; start: number; records: number }[] = [];
  while (sent < total || inFlight > 0) {
    while (inFlight < client.limit() && sent < total) {
      const records = Math.min(client.chunkSize(), total - sent);
      sent += records;
      inFlight += 1;
      const arrives = now + server.latencyMs;
      // The worker that frees first takes it (FIFO: calls arrive in the order they are sent).
      let worker = 0;
      for (let i = 1; i < workerFree.length; i += 1) if (workerFree[i]! < workerFree[worker]!) worker = i;
      const begins = Math.max(arrives, workerFree[worker]!);
      const end = begins + server.callMs + records * server.recordMs;
      workerFree[worker] = end;
      pending.push({ end, start: now, records });
    }
    pending.sort((a, b) => a.end - b.end);
    const next = pending.shift()!;
    now = next.end;
    inFlight -= 1;
    client.observe({ records: next.records, durationMs: next.end - next.start, outcome: 'ok' }, now);
  }
  return (total * 1000) / now;
}

/** A client with fixed settings. */
export function fixedClient(limit: number, chunkSize: number): SimulatedClient {
  return { limit: () => limit, chunkSize: () => chunkSize, observe: () => undefined };
}
