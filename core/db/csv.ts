// Encodes rows as PostgreSQL COPY CSV: NULL is an empty unquoted field, every text value is quoted.
import type { SqlValue } from './query.ts';

export function csvField(value: SqlValue): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot COPY the number ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) throw new TypeError('COPY of array values is not supported');
  return `"${String(value).replaceAll('"', '""')}"`;
}

export interface CsvChunk {
  readonly text: string;
  readonly rowCount: number;
}

/** Yields the rows as CSV text, `rowsPerChunk` rows at a time. */
export function* csvChunks(rows: Iterable<readonly SqlValue[]>, rowsPerChunk = 5000): Generator<CsvChunk> {
  let lines: string[] = [];
  for (const row of rows) {
    lines.push(row.map(csvField).join(','));
    if (lines.length >= rowsPerChunk) {
      yield { text: `${lines.join('\n')}\n`, rowCount: lines.length };
      lines = [];
    }
  }
  if (lines.length > 0) yield { text: `${lines.join('\n')}\n`, rowCount: lines.length };
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/** The COPY statement for a target; table and column names are checked identifiers, never input. */
export function copyStatement(table: string, columns: readonly string[], source: string): string {
  for (const name of [table, ...columns]) {
    if (!identifier.test(name)) throw new TypeError(`"${name}" is not a plain lower-case SQL identifier`);
  }
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}
