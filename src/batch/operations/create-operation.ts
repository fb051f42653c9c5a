/**
 * {@link CreateOperation}: create records, optionally idempotently through external ids.
 *
 * @packageDocumentation
 */
import type { ChunkSizing } from '../chunk-sizing.js';
import { describeInput } from '../batch-options.js';
import { BatchOperation, assertRecordSource, isArraySource } from './batch-operation.js';
import { readBatches } from '../read-batches.js';
import type { BatchOperationOptions, PlannedChunk, RecordSource, RecordValues } from './batch-operation.js';

/**
 * Gives the external id (`module.name`) of a record, making its create idempotent: a record whose external id already
 * exists is not created twice, and an unknown outcome is reconciled by looking the external ids up.
 */
export type XmlidFunction = (record: RecordValues, index: number) => string;

/** Options of a {@link CreateOperation}. */
export interface CreateOperationOptions extends BatchOperationOptions {
  /**
   * External id of each record. Without it, a create whose outcome is unknown is reported as unknown and never resent.
   * @default undefined
   */
  readonly xmlid?: XmlidFunction | undefined;
}

/** External ids as Odoo accepts them: `module.name`, no spaces, the name part without dots. */
const XMLID_PATTERN = /^[^.\s]+\.[^.\s]+$/;

/**
 * Creates records of one model.
 *
 * @example
 * ```ts
 * const op = new CreateOperation('res.partner', [{ name: 'Company A', is_company: true }, { name: 'Company B' }], {
 *   context: { active_test: false },
 *   priority: 1,
 * });
 * op.batchSize; // 2
 * op.split(1).length; // 2
 * ```
 */
export class CreateOperation extends BatchOperation {
  readonly operationType = 'create' as const;
  /** The records to create (never changed by zenoo). */
  readonly data: RecordSource<RecordValues>;
  /** External id of each record, if creates are idempotent. */
  readonly xmlid: XmlidFunction | undefined;

  constructor(model: string, data: RecordSource<RecordValues>, options: CreateOperationOptions = {}) {
    super(model, options);
    assertRecordSource(data, 'data');
    if (options.xmlid !== undefined && typeof options.xmlid !== 'function') {
      throw new TypeError(
        `Expected \`xmlid\` to be a function (record, index) => 'module.name', got ${describeInput(options.xmlid)}.`,
      );
    }
    this.data = data;
    this.xmlid = options.xmlid;
  }

  get batchSize(): number | undefined {
    return isArraySource(this.data) ? this.data.length : undefined;
  }

  validate(): void {
    if (!isArraySource(this.data)) return;
    const seen = new Map<string, number>();
    this.data.forEach((record, index) => {
      this.checkValues(record, index, false);
      const xmlid = this.xmlidOf(record, index);
      if (xmlid !== undefined) this.checkUniqueXmlid(seen, xmlid, index);
    });
  }

  split(chunkSize: number): CreateOperation[] {
    if (!isArraySource(this.data)) {
      throw new TypeError(
        `Operation ${this.operationId} streams its records: it cannot be split without consuming them.`,
      );
    }
    const parts: CreateOperation[] = [];
    for (let start = 0; start < this.data.length; start += chunkSize) {
      const offset = start;
      const xmlid = this.xmlid;
      parts.push(
        new CreateOperation(this.model, this.data.slice(start, start + chunkSize), {
          ...this.baseOptions(parts.length),
          // Keep the external ids of the original input indexes.
          ...(xmlid === undefined
            ? {}
            : { xmlid: (record: RecordValues, index: number) => xmlid(record, index + offset) }),
        }),
      );
    }
    return parts;
  }

  touchedIds(): 'none' {
    return 'none';
  }

  async *planChunks(chunkSize: ChunkSizing): AsyncGenerator<PlannedChunk, void, undefined> {
    // An array was checked in full by validate() before the run; a stream is checked record by record here.
    const validated = isArraySource(this.data);
    let index = 0;
    let chunkIndex = 0;
    for await (const records of readBatches(this.data, chunkSize)) {
      const inputIndexes: number[] = [];
      const xmlids: string[] | undefined = this.xmlid === undefined ? undefined : [];
      // External ids of a stream are checked for duplicates within each chunk only: remembering all of them would
      // make memory grow with the input's length.
      const seen = new Map<string, number>();
      for (const record of records) {
        if (!validated) this.checkValues(record, index, false);
        if (xmlids !== undefined) {
          const xmlid = this.xmlidOf(record, index)!;
          if (!validated) this.checkUniqueXmlid(seen, xmlid, index);
          xmlids.push(xmlid);
        }
        inputIndexes.push(index);
        index += 1;
      }
      // The caller's record objects are sent as they are: nothing in the engine writes to them.
      yield { index: chunkIndex++, inputIndexes, records, ...(xmlids === undefined ? {} : { xmlids }) };
    }
  }

  private xmlidOf(record: RecordValues, index: number): string | undefined {
    if (this.xmlid === undefined) return undefined;
    let xmlid: unknown;
    try {
      xmlid = this.xmlid(record, index);
    } catch (error) {
      throw this.invalid(
        `the xmlid function threw: ${error instanceof Error ? error.message : String(error)}`,
        index,
        error,
      );
    }
    if (typeof xmlid !== 'string' || !XMLID_PATTERN.test(xmlid)) {
      throw this.invalid(
        `the xmlid function returned ${describeInput(xmlid)}; expected 'module.name' (one dot, no spaces), e.g. 'my_import.partner_42'.`,
        index,
      );
    }
    return xmlid;
  }

  private checkUniqueXmlid(seen: Map<string, number>, xmlid: string, index: number): void {
    const first = seen.get(xmlid);
    if (first !== undefined) {
      throw this.invalid(
        `external id '${xmlid}' is also the external id of record ${first}; external ids must be unique.`,
        index,
      );
    }
    seen.set(xmlid, index);
  }
}
