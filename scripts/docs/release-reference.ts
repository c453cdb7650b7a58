// docs/release-yaml.md's field reference, rendered from the JSON Schema that validates
// release.yaml (packages/deployer/schema/release.schema.json): one row per field with its
// type, default, rule and description.

type Schema = Readonly<Record<string, unknown>> & {
  $ref?: string;
  type?: string;
  properties?: Readonly<Record<string, Schema>>;
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  required?: readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
};

export interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly default: string;
  readonly rule: string;
  readonly meaning: string;
}

/** Enums longer than this are listed under the table instead of in the row. */
const LONG_ENUM = 8;

function resolve(root: Schema, node: Schema): Schema {
  if (!node.$ref) return node;
  const target = node.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((n, key) => (n as Record<string, unknown>)[key], root) as Schema;
  const { $ref: _ref, ...own } = node;
  return { ...resolve(root, target), ...own };
}

const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

function typeOf(root: Schema, s: Schema): string {
  if (s.type === 'array') return `${s.items ? typeOf(root, resolve(root, s.items)) : 'any'}[]`;
  if (s.type) return s.type;
  if (s.const !== undefined || s.enum?.every((v) => typeof v === 'string')) return 'string';
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return 'map';
  return 'object';
}

function range(s: Schema): string[] {
  const out: string[] = [];
  const min = s.minimum ?? s.minLength ?? s.minItems;
  const max = s.maximum ?? s.maxLength ?? s.maxItems;
  const unit =
    s.minLength !== undefined || s.maxLength !== undefined
      ? ' chars'
      : s.minItems !== undefined || s.maxItems !== undefined
        ? ' items'
        : '';
  if (s.exclusiveMinimum !== undefined)
    out.push(`> ${String(s.exclusiveMinimum)}${max === undefined ? '' : `, ≤ ${String(max)}`}`);
  else if (min !== undefined && max !== undefined) out.push(`${String(min)}–${String(max)}${unit}`);
  else if (min !== undefined) out.push(`≥ ${String(min)}${unit}`);
  else if (max !== undefined) out.push(`≤ ${String(max)}${unit}`);
  if (s.minProperties !== undefined) out.push(`≥ ${String(s.minProperties)} entries`);
  return out;
}

function ruleOf(root: Schema, s: Schema, longEnums: Map<string, readonly unknown[]>, path: string): string {
  const parts: string[] = [];
  if (s.const !== undefined) parts.push(code(s.const));
  if (s.enum) {
    if (s.enum.length > LONG_ENUM) {
      longEnums.set(path, s.enum);
      parts.push(`one of ${s.enum.length} values (${s.enum.slice(0, 3).map(code).join(', ')}, …; listed below)`);
    } else parts.push(s.enum.map(code).join(' | '));
  }
  if (typeof s.pattern === 'string') parts.push(`pattern ${code(s.pattern)}`);
  parts.push(...range(s));
  if (s.uniqueItems) parts.push('unique');
  if (s.type === 'array' && s.items) {
    const item = resolve(root, s.items);
    const itemRule = ruleOf(root, item, longEnums, `${path}[]`);
    if (itemRule) parts.push(`each: ${itemRule}`);
  }
  if (s.propertyNames) parts.push(`keys: ${ruleOf(root, resolve(root, s.propertyNames), longEnums, `${path} keys`)}`);
  return parts.join('; ');
}

function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

/** Every field of the schema, depth first, in the schema's order. */
export function releaseFields(root: Schema): { rows: FieldRow[]; longEnums: Map<string, readonly unknown[]> } {
  const rows: FieldRow[] = [];
  const longEnums = new Map<string, readonly unknown[]>();
  const visit = (node: Schema, path: string, required: boolean) => {
    const s = resolve(root, node);
    const children = s.properties ? Object.entries(s.properties) : [];
    const isMap = typeof s.additionalProperties === 'object';
    // Plain containers (an object whose fields are listed below it) get a row only when they say something.
    if (!children.length || s.description || required || isMap) {
      rows.push({
        path,
        type: typeOf(root, s),
        default: required
          ? '**required**'
          : s.default === undefined ||
              (typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default))
            ? '—'
            : code(s.default),
        rule: ruleOf(root, s, longEnums, path),
        meaning: s.description ?? '',
      });
    }
    for (const [key, child] of children)
      visit(child, path ? `${path}.${key}` : key, s.required?.includes(key) ?? false);
    if (isMap) visit(s.additionalProperties as Schema, `${path}.<${s.propertyNames ? 'env' : 'key'}>`, false);
  };
  for (const [key, child] of Object.entries(root.properties ?? {}))
    visit(child, key, root.required?.includes(key) ?? false);
  return { rows, longEnums };
}

export function renderReleaseReference(schema: unknown): string {
  const { rows, longEnums } = releaseFields(schema as Schema);
  const out = ['| field | type | default | rule | meaning |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) out.push(`| \`${r.path}\` | ${r.type} | ${r.default} | ${cell(r.rule)} | ${cell(r.meaning)} |`);
  for (const [path, values] of longEnums) out.push('', `\`${path}\` is one of: ${values.map(code).join(', ')}.`);
  return out.join('\n');
}
