/**
 * The models one sandbox database hosts. Each database has its own registry, so that a sandbox of the base models and
 * one of a company snapshot can run side by side in one process.
 *
 * @packageDocumentation
 */

import type { FieldDef, ModelDef } from '../model-types.js';

/** A many2one field and the model it belongs to. */
export interface FieldOfModel {
  readonly model: ModelDef;
  readonly field: FieldDef;
}

/** Models by technical name, with the reverse look-ups the ORM needs (who points at a model, many2many tables). */
export class ModelRegistry {
  readonly #models: ReadonlyMap<string, ModelDef>;
  readonly #referencesTo = new Map<string, FieldOfModel[]>();
  readonly #many2many: FieldOfModel[];

  /** @param models the hosted models; a name given twice is a programming mistake. */
  constructor(models: readonly ModelDef[]) {
    const byName = new Map<string, ModelDef>();
    for (const model of models) {
      if (byName.has(model.name)) throw new Error(`sandbox: model ${model.name} registered twice`);
      byName.set(model.name, model);
    }
    this.#models = byName;
    const many2many: FieldOfModel[] = [];
    for (const model of byName.values()) {
      for (const field of Object.values(model.fields)) {
        if (field.type === 'many2many' && field.relationTable) many2many.push({ model, field });
        if (field.type !== 'many2one' || field.relation === undefined || !hasOwnColumn(field)) continue;
        const list = this.#referencesTo.get(field.relation) ?? [];
        list.push({ model, field });
        this.#referencesTo.set(field.relation, list);
      }
    }
    this.#many2many = many2many;
  }

  /** The model named `name`, or undefined. */
  get(name: string): ModelDef | undefined {
    return this.#models.get(name);
  }

  /** The model named `name`; throws a plain Error for a programming mistake (callers validate user input first). */
  model(name: string): ModelDef {
    const model = this.#models.get(name);
    if (!model) throw new Error(`sandbox: no model ${name}`);
    return model;
  }

  /** Every model, in registration order. */
  values(): IterableIterator<ModelDef> {
    return this.#models.values();
  }

  /** Stored many2one fields of any model that point at `target`. */
  referencesTo(target: string): readonly FieldOfModel[] {
    return this.#referencesTo.get(target) ?? [];
  }

  /** Every many2many field that has a relation table. */
  many2manyFields(): readonly FieldOfModel[] {
    return this.#many2many;
  }
}

function hasOwnColumn(field: FieldDef): boolean {
  return (field.store || field.column === true) && field.type !== 'one2many' && field.type !== 'many2many';
}
