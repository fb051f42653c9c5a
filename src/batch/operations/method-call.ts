/**
 * {@link MethodCall}: the method a call operation calls on each chunk of its records, `model.method(ids, *args,
 * **kwargs)`, and the domain that tells whether a record still needs it.
 *
 * @packageDocumentation
 */

/** A public model method called on records. */
export interface MethodCall {
  /** Method name, e.g. `action_confirm` (public: not starting with `_`). */
  readonly method: string;
  /** Positional arguments after the ids. @default [] */
  readonly args?: readonly unknown[] | undefined;
  /** Keyword arguments (the operation's context travels separately). @default {} */
  readonly kwargs?: Readonly<Record<string, unknown>> | undefined;
  /**
   * The domain the records must match to be called (the state the method moves them out of, e.g.
   * `[['state', '=', 'draft']]`). When a call's answer is lost, the records of the chunk that still match it were
   * not called and are called again; the others were. Without a guard, a lost answer leaves the chunk's outcome
   * unknown: it is never called again blindly.
   * @default undefined
   */
  readonly guard?: readonly unknown[] | undefined;
}
