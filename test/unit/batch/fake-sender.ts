/** An in-memory ChunkSender for unit tests: records calls, simulates latency, faults and lost answers. */
import { OutcomeUnknownError, ValidationError } from '../../../src/errors.js';
import type {
  ChunkRequest,
  ChunkSendOptions,
  ChunkSendResult,
  ChunkSender,
  ReconcileResult,
} from '../../../src/batch/send/chunk-sender.js';

export interface FakeSenderOptions {
  /** Random latency per call up to this many ms. */
  maxLatencyMs?: number;
  /** Records (by `name`) the server refuses with a ValidationError. */
  badNames?: Set<string>;
  /** Names whose chunk answer is lost after commit (once per name). */
  dropAfterCommit?: Set<string>;
  /** Names whose chunk answer is lost before commit (once per name). */
  dropBeforeCommit?: Set<string>;
}

export class FakeSender implements ChunkSender {
  nextId = 1;
  readonly created = new Map<number, Record<string, unknown>>();
  readonly xmlids = new Map<string, number>();
  readonly calls: { method: string; size: number; request: ChunkRequest }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly options: FakeSenderOptions = {}) {}

  async methodOf(request: ChunkRequest): Promise<string> {
    return request.operationType === 'create'
      ? request.xmlids
        ? 'load'
        : 'create'
      : request.operationType === 'update'
        ? 'write'
        : 'unlink';
  }

  async send(request: ChunkRequest, options: ChunkSendOptions): Promise<ChunkSendResult> {
    const method = await this.methodOf(request);
    this.calls.push({ method, size: request.size, request });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.latency(options.signal);
      const names = (request.records ?? []).map((r) => String(r['name']));
      const bad = names.find((name) => this.options.badNames?.has(name));
      if (bad !== undefined) {
        throw new ValidationError(
          {
            code: 200,
            message: 'Odoo Server Error',
            data: { name: 'odoo.exceptions.ValidationError', message: `bad record ${bad}` },
          },
          { model: request.model, method },
        );
      }
      const lostBefore = names.find((name) => this.options.dropBeforeCommit?.delete(name));
      if (lostBefore !== undefined)
        throw new OutcomeUnknownError('answer lost', request.records ?? [], { model: request.model, method });
      let ids: number[];
      if (request.operationType === 'create') {
        ids = (request.records ?? []).map((record, i) => {
          const xmlid = request.xmlids?.[i];
          const existing = xmlid === undefined ? undefined : this.xmlids.get(xmlid);
          if (existing !== undefined) return existing;
          const id = this.nextId++;
          this.created.set(id, { ...record });
          if (xmlid !== undefined) this.xmlids.set(xmlid, id);
          return id;
        });
      } else {
        ids = [...(request.ids ?? [])];
      }
      const lostAfter = names.find((name) => this.options.dropAfterCommit?.delete(name));
      if (lostAfter !== undefined)
        throw new OutcomeUnknownError('answer lost', request.records ?? [], { model: request.model, method });
      return { kind: 'applied', ids };
    } finally {
      this.inFlight -= 1;
    }
  }

  async reconcile(request: ChunkRequest): Promise<ReconcileResult> {
    this.calls.push({ method: 'reconcile', size: request.size, request });
    return { ids: (request.xmlids ?? []).map((x) => this.xmlids.get(x)), resendable: true };
  }

  private async latency(signal: AbortSignal | undefined): Promise<void> {
    const ms = Math.random() * (this.options.maxLatencyMs ?? 0);
    if (ms <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new OutcomeUnknownError('aborted after send', [], {}));
        },
        { once: true },
      );
    });
  }
}
