// The manual records of the scaling checklist (migration 0005): appended, never updated. An item's state is
// its latest record — the one written last (highest id), whatever the clocks said — and older ones are history.
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';
import type { ScalingRecord } from './scaling-types.ts';

interface RecordRow {
  itemId: string;
  done: boolean;
  recordedBy: string;
  note: string | null;
  recordedAt: Date;
}

const columns = `item_id AS "itemId", done, recorded_by AS "recordedBy", note, recorded_at AS "recordedAt"`;

const insertRecord = defineQuery<
  { itemId: string; done: boolean; recordedBy: string; note: string | null; recordedAt: Date },
  RecordRow
>(
  'scaling.insertRecord',
  `INSERT INTO scaling_records (item_id, done, recorded_by, note, recorded_at)
   VALUES (:itemId, :done, :recordedBy, :note, :recordedAt)
   RETURNING ${columns}`,
);

const latestRecords = defineQuery<Record<string, never>, RecordRow>(
  'scaling.latestRecords',
  `SELECT DISTINCT ON (item_id) ${columns} FROM scaling_records ORDER BY item_id, id DESC`,
);

const recordHistory = defineQuery<{ itemId: string; limit: number }, RecordRow>(
  'scaling.recordHistory',
  `SELECT ${columns} FROM scaling_records WHERE item_id = :itemId ORDER BY id DESC LIMIT :limit`,
);

export async function addScalingRecord(db: Queryable, record: ScalingRecord): Promise<ScalingRecord> {
  const [row] = await db.query(insertRecord, { ...record });
  if (!row) throw new Error('scaling.insertRecord returned no row');
  return row;
}

/** The latest record of every item that has one, by item id. */
export async function latestScalingRecords(db: Queryable): Promise<Map<string, ScalingRecord>> {
  const rows = await db.query(latestRecords, {});
  return new Map(rows.map((row) => [row.itemId, row]));
}

/** An item's records, newest first. */
export async function scalingRecordHistory(
  db: Queryable,
  itemId: string,
  limit: number,
): Promise<ScalingRecord[]> {
  return db.query(recordHistory, { itemId, limit });
}
