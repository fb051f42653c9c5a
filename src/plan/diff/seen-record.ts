/**
 * {@link seenRecord}: what a diff keeps of a record it read, so that a saved diff can tell later whether the record
 * changed since (its write date) and a reviewer can recognise it (its display name).
 *
 * @packageDocumentation
 */
import type { ReadRecord } from '../references/state-reader.js';

/** A record's display name (its id when it has none) and write date, as the diff keeps them. */
export function seenRecord(record: ReadRecord): { displayName: string; writeDate: string | false } {
  const name = record['display_name'];
  const writeDate = record['write_date'];
  return {
    displayName: typeof name === 'string' ? name : String(record.id),
    writeDate: typeof writeDate === 'string' ? writeDate : false,
  };
}
