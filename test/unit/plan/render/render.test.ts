import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../../src/errors.js';
import { DIFF_FORMAT_VERSION, hasChanges, summarize } from '../../../../src/plan/model/diff-types.js';
import type { Diff, StepDiff } from '../../../../src/plan/model/diff-types.js';
import { parseDiffJson, renderDiffJson } from '../../../../src/plan/render/render-json.js';
import { renderDiffMarkdown } from '../../../../src/plan/render/render-markdown.js';
import { renderDiffText } from '../../../../src/plan/render/render-text.js';
import type { DiffStyle } from '../../../../src/plan/render/render-text.js';
import { formatValue } from '../../../../src/plan/render/render-value.js';

const steps: StepDiff[] = [
  {
    step: 'tags',
    model: 'res.partner.category',
    action: 'upsert',
    creates: [{ row: 1, key: '["VIP"]', xmlid: 'zenoo_crm_seed.tags_1a2b', values: { name: 'VIP' } }],
    updates: [],
    deletes: [],
    unchanged: 1,
  },
  {
    step: 'companies',
    model: 'res.partner',
    action: 'upsert',
    creates: [
      {
        row: 2,
        key: '["ACME"]',
        values: {
          name: 'ACME | Co',
          is_company: true,
          country_id: 20,
          category_id: [[6, 0, [{ $pending: { step: 'tags', key: '["VIP"]' } }]]],
        },
      },
    ],
    updates: [
      {
        row: 1,
        key: '["BETA"]',
        id: 7,
        displayName: 'Beta',
        writeDate: '2026-11-29 07:31:39',
        changes: [
          { field: 'email', before: false, after: 'b@x.example' },
          { field: 'country_id', before: [20, 'Belgium'], after: 21 },
          { field: 'category_id', before: [3], after: [[6, 0, [3, 4]]] },
        ],
      },
    ],
    deletes: [],
    unchanged: 0,
  },
  {
    step: 'archive-old',
    model: 'res.partner',
    action: 'delete',
    creates: [],
    updates: [],
    deletes: [{ id: 9, displayName: 'Old <Corp>', writeDate: '2026-11-29 07:00:00' }],
    unchanged: 0,
  },
];

const diff: Diff = {
  formatVersion: DIFF_FORMAT_VERSION,
  plan: { name: 'crm-seed', fingerprint: '0123456789abcdef0123' },
  target: { url: 'http://127.0.0.1:8069', db: 'zenoo' },
  createdAt: '2026-11-29T08:00:00.000Z',
  stateFingerprint: 'ffff',
  summary: summarize(steps),
  steps,
};

const empty: Diff = {
  ...diff,
  steps: steps.map((step) => ({ ...step, creates: [], updates: [], deletes: [], unchanged: 2 })),
  summary: summarize(steps.map((step) => ({ ...step, creates: [], updates: [], deletes: [], unchanged: 2 }))),
};

describe('diff model', () => {
  it('summarizes and says whether changes are pending', () => {
    expect(diff.summary).toEqual({ create: 2, update: 1, delete: 1, unchanged: 1 });
    expect(hasChanges(diff)).toBe(true);
    expect(hasChanges(empty)).toBe(false);
  });
});

describe('formatValue', () => {
  it('formats many2one, x2many, commands, pending references and long strings', () => {
    expect(formatValue([20, 'Belgium'])).toBe('"Belgium" (#20)');
    expect(formatValue([3, 4, 5])).toBe('{#3, #4, #5}');
    expect(
      formatValue([
        [4, 3],
        [3, 5],
      ]),
    ).toBe('+#3 -#5');
    expect(formatValue({ $pending: { step: 'companies', key: 'ACME' } })).toBe('<new companies "ACME">');
    expect(formatValue(false)).toBe('false');
    expect(formatValue('x'.repeat(100))).toHaveLength(82);
  });
});

describe('names of related records', () => {
  const named: StepDiff = {
    step: 'companies',
    model: 'res.partner',
    action: 'upsert',
    creates: [{ row: 2, key: '["C2"]', values: { name: 'Beta', country_id: 20, category_id: [[6, 0, [88, 90]]] } }],
    updates: [
      {
        row: 1,
        key: '["C1"]',
        id: 7,
        displayName: 'Alpha',
        writeDate: '2024-01-01 00:00:00',
        changes: [
          { field: 'country_id', before: [165, 'Netherlands'], after: 57 },
          { field: 'category_id', before: [88], after: [[6, 0, [90, 91]]] },
          { field: 'parent_id', before: false, after: { $pending: { step: 'groups', key: '["G1"]' } } },
        ],
      },
    ],
    deletes: [],
    unchanged: 0,
    names: {
      country_id: { '20': 'Belgium', '57': 'Germany', '165': 'Netherlands' },
      category_id: { '88': 'VIP', '90': 'Retail' },
    },
  };
  const withNames: Diff = { ...diff, steps: [named], summary: summarize([named]) };

  it('show by name on both sides in text and markdown; an unknown id stays #id; pending stays <new …>', () => {
    const text = renderDiffText(withNames);
    expect(text).toContain('country_id: "Netherlands" → "Germany"');
    expect(text).toContain('category_id: {"VIP"} → = {"Retail", #91}');
    expect(text).toContain('parent_id: false → <new groups "G1">');
    expect(text).toContain('country_id: "Belgium", category_id: = {"VIP", "Retail"}');
    const markdown = renderDiffMarkdown(withNames);
    expect(markdown).toContain('`"Netherlands"` → `"Germany"`');
    expect(markdown).toContain('country_id: "Belgium"');
  });

  it('JSON keeps the ids in the values and the names beside them', () => {
    const parsed = parseDiffJson(renderDiffJson(withNames), 'named.json');
    expect(parsed.steps[0]!.updates[0]!.changes[0]!.after).toBe(57);
    expect(parsed.steps[0]!.names).toEqual(named.names);
  });
});

describe('renderDiffText', () => {
  it('renders + ~ - lines with per-field before → after (pinned)', () => {
    expect(renderDiffText(diff)).toMatchInlineSnapshot(`
      "Plan crm-seed on http://127.0.0.1:8069 (database zenoo)

      tags  res.partner.category  upsert  +1 ~0 -0 =1
        + row 1, key "VIP"  name: "VIP"
      companies  res.partner  upsert  +1 ~1 -0 =0
        + row 2, key "ACME"  name: "ACME | Co", is_company: true, country_id: 20, category_id: = {<new tags "VIP">}
        ~ #7 "Beta"  row 1, key "BETA"
            email: false → "b@x.example"
            country_id: "Belgium" (#20) → #21
            category_id: {#3} → = {#3, #4}
      archive-old  res.partner  delete  +0 ~0 -1 =0
        - #9 "Old <Corp>"

      Summary: 2 to create, 1 to update, 1 to delete, 1 unchanged.
      "
    `);
  });

  it('says when there is nothing to do', () => {
    expect(renderDiffText(empty)).toMatchInlineSnapshot(`
      "Plan crm-seed on http://127.0.0.1:8069 (database zenoo)

      tags  res.partner.category  upsert  no changes (2 unchanged)
      companies  res.partner  upsert  no changes (2 unchanged)
      archive-old  res.partner  delete  no changes (2 unchanged)

      No changes: the target already matches the plan (6 records unchanged).
      "
    `);
  });

  it('applies the style and folds long lists', () => {
    const marks: DiffStyle = {
      create: (t) => `[g]${t}[/g]`,
      update: (t) => `[y]${t}[/y]`,
      delete: (t) => `[r]${t}[/r]`,
      dim: (t) => t,
      bold: (t) => t,
    };
    const many: Diff = {
      ...diff,
      steps: [
        { ...steps[0]!, creates: Array.from({ length: 5 }, (_, i) => ({ row: i + 1, values: { name: `T${i}` } })) },
      ],
    };
    const text = renderDiffText(many, { style: marks, maxItems: 2 });
    expect(text).toContain('[g]  + row 1  name: "T0"[/g]');
    expect(text).toContain('… 3 more creates (--limit 0 lists all, --format json gives all as JSON)');
    expect(text).not.toContain('T2');
    expect(renderDiffText(many, { maxItems: 0 })).toContain('T4');
    expect(() => renderDiffText(many, { maxItems: -1 })).toThrow(TypeError);
  });
});

describe('renderDiffMarkdown', () => {
  it('renders a summary table and per-step details (pinned)', () => {
    expect(renderDiffMarkdown(diff)).toMatchInlineSnapshot(`
      "## zenoo plan \`crm-seed\` on \`zenoo\`

      **2** to create, **1** to update, **1** to delete, 1 unchanged.

      | Step | Model | Action | Create | Update | Delete | Unchanged |
      | --- | --- | --- | ---: | ---: | ---: | ---: |
      | tags | \`res.partner.category\` | upsert | 1 | 0 | 0 | 1 |
      | companies | \`res.partner\` | upsert | 1 | 1 | 0 | 0 |
      | archive-old | \`res.partner\` | delete | 0 | 0 | 1 | 0 |

      ### tags — \`res.partner.category\` (upsert)

      **Create** (1)

      - ➕ row 1, key \`VIP\`: \`name: "VIP"\`

      1 unchanged.

      ### companies — \`res.partner\` (upsert)

      **Create** (1)

      - ➕ row 2, key \`ACME\`: \`name: "ACME | Co", is_company: true, country_id: 20, category_id: = {<new tags "VIP">}\`

      **Update** (1)

      - ✏️ #7 Beta (row 1, key \`BETA\`)
        - \`email\`: \`false\` → \`"b@x.example"\`
        - \`country_id\`: \`"Belgium" (#20)\` → \`#21\`
        - \`category_id\`: \`{#3}\` → \`= {#3, #4}\`

      ### archive-old — \`res.partner\` (delete)

      **Delete** (1)

      - ❌ #9 Old \\<Corp\\>

      <sub>plan fingerprint \`0123456789ab\` · state read 2026-11-29T08:00:00.000Z</sub>
      "
    `);
  });

  it('folds long lists in <details> and caps them', () => {
    const many: Diff = {
      ...diff,
      steps: [
        { ...steps[0]!, creates: Array.from({ length: 30 }, (_, i) => ({ row: i + 1, values: { name: `T${i}` } })) },
      ],
    };
    const md = renderDiffMarkdown(many, { maxItems: 20 });
    expect(md).toContain('<details>\n<summary>Create (30)</summary>');
    expect(md).toContain('- … and 10 more');
    expect(md.match(/^- ➕/gm)).toHaveLength(20);
    expect(renderDiffMarkdown(empty)).toContain('No changes: the target already matches the plan (6 unchanged).');
  });
});

describe('renderDiffJson / parseDiffJson', () => {
  it('round-trips a diff and pins the format', () => {
    const text = renderDiffJson(diff);
    expect(parseDiffJson(text, 'plan.json')).toEqual(diff);
    expect(Object.keys(JSON.parse(text))).toEqual([
      'formatVersion',
      'plan',
      'target',
      'createdAt',
      'stateFingerprint',
      'summary',
      'steps',
    ]);
  });

  it('refuses what is not a diff of this version, naming the file', () => {
    expect(() => parseDiffJson('{', 'x.json')).toThrow(ConfigurationError);
    expect(() => parseDiffJson('{}', 'x.json')).toThrow(/x.json: not a zenoo diff/);
    expect(() => parseDiffJson('{"formatVersion":2}', 'x.json')).toThrow(/version 2 is not supported/);
    expect(() => parseDiffJson('{"formatVersion":1,"steps":[{}]}', 'x.json')).toThrow(/damaged.*steps\[0\]/);
  });
});
