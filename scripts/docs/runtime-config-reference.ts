// docs/runtime.md's environment table, rendered from the runtime's config schema (the one the
// runtime validates its environment with at start).
import { CONFIG_SCHEMA } from '../../packages/runtime/src/config.js';

type Prop = Readonly<Record<string, unknown>>;

function allowed(p: Prop): string {
  if (Array.isArray(p.enum)) return p.enum.join(', ');
  if (p.type === 'integer') return `integer ${String(p.minimum)}-${String(p.maximum)}`;
  if (p.type === 'boolean') return 'true, false';
  if (typeof p.pattern === 'string') return `matching \`${p.pattern}\``;
  return 'a non-empty string';
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function renderRuntimeConfig(schema: { properties: Readonly<Record<string, Prop>> } = CONFIG_SCHEMA): string {
  const out = ['| Variable | Default | Allowed | Meaning |', '| --- | --- | --- | --- |'];
  for (const [name, p] of Object.entries(schema.properties)) {
    const dflt = p.default === undefined ? '(none)' : `\`${String(p.default)}\``;
    out.push(`| \`${name}\` | ${dflt} | ${cell(allowed(p))} | ${cell(String(p.description ?? ''))} |`);
  }
  return out.join('\n');
}
