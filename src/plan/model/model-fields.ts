/**
 * The fields of the models a plan touches, as `fields_get` describes them: read once per command and shared by the
 * checks, the diff and the apply.
 *
 * @packageDocumentation
 */
import type { FieldInfo } from '../../client/types.js';

/** Field metadata by model, as `fields_get` answers it. */
export type ModelFields = ReadonlyMap<string, Readonly<Record<string, FieldInfo>>>;
