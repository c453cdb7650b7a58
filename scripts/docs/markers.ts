// Generated parts of the docs live between a pair of HTML comments, so a page can mix
// hand-written text with a reference rendered from code. `npm run docs` rewrites only what is
// between the markers; test/docs/generated-sections.test.ts fails when a part is stale.

export function beginMarker(name: string): string {
  return `<!-- generated:${name}:begin (npm run docs; do not edit by hand) -->`;
}

export function endMarker(name: string): string {
  return `<!-- generated:${name}:end -->`;
}

function bounds(text: string, name: string): { from: number; to: number } | undefined {
  const begin = text.indexOf(beginMarker(name));
  const end = text.indexOf(endMarker(name));
  if (begin < 0 || end < begin) return undefined;
  return { from: begin + beginMarker(name).length, to: end };
}

/** The text between the markers of `name` (without the newlines next to them), or undefined. */
export function generatedPart(text: string, name: string): string | undefined {
  const b = bounds(text, name);
  return b === undefined ? undefined : text.slice(b.from, b.to).replace(/^\n/, '').replace(/\n$/, '');
}

/** `text` with the part `name` replaced by `body`; throws naming the markers when they are missing. */
export function withGeneratedPart(text: string, name: string, body: string, file: string): string {
  const b = bounds(text, name);
  if (b === undefined)
    throw new Error(
      `${file} has no "${beginMarker(name)}" ... "${endMarker(name)}" pair; add both lines where the generated part belongs.`,
    );
  return `${text.slice(0, b.from)}\n${body.replace(/\n+$/, '')}\n${text.slice(b.to)}`;
}
