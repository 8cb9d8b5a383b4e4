// Dashboard JSON as text, laid out the way `biome format` lays out JSON (the repository's formatter, run by
// `npm run lint` over the committed files): objects one key per line, an array of plain values on one line
// when it fits in 110 columns, anything else one element per line. Deterministic, so a file can be compared
// with a fresh generation byte for byte.
const lineWidth = 110;
const indentUnit = '  ';

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

function isPlain(value: Json): boolean {
  return value === null || typeof value !== 'object';
}

function render(value: Json, indent: string, lineStart: number, trailing: number): string {
  if (isPlain(value)) return JSON.stringify(value);
  const inner = indent + indentUnit;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value as readonly Json[];
    if (items.every(isPlain)) {
      const oneLine = `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (lineStart + oneLine.length + trailing <= lineWidth) return oneLine;
    }
    const lines = items.map(
      (item, index) => `${inner}${render(item, inner, inner.length, index < items.length - 1 ? 1 : 0)}`,
    );
    return `[\n${lines.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: Json }).filter(
    ([, item]) => item !== undefined,
  );
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, item], index) => {
    const prefix = `${inner}${JSON.stringify(key)}: `;
    return `${prefix}${render(item, inner, prefix.length, index < entries.length - 1 ? 1 : 0)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

export function toJsonText(value: unknown): string {
  return `${render(JSON.parse(JSON.stringify(value)) as Json, '', 0, 0)}\n`;
}
