// The scaling checklist as a table: status as an icon and a word (never colour alone), the item in the
// guide's words (Pulse's own items marked as such), how Pulse knows it (detected, or recorded by a person),
// the evidence, and for recorded items who recorded it, when and why. The CSV carries the plain words and
// the ISO time.
import type { ScalingItemView } from '../../lib/api-types.ts';
import { missing, type Shown } from '../../lib/format.ts';

export const statusText: Record<ScalingItemView['status'], string> = {
  done: '✓ done',
  todo: '○ todo',
  unknown: '? unknown',
};

export const sourceText: Record<ScalingItemView['source'], string> = {
  guide: 'scaling guide',
  pulse: "Pulse's own",
};

/** "2026-11-24 22:37 UTC": the collector's times are UTC, and so is every time on the page. */
export function formatRecordedAt(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function recorded(item: ScalingItemView, value: string | undefined): Shown {
  if (item.how === 'detected') return missing('detected by Pulse, not recorded by hand');
  if (!item.recordedAt) return missing('not recorded yet');
  return value ? { text: value } : missing('no note');
}

export const checklistColumns = [
  {
    label: 'Status',
    show: (item: ScalingItemView): Shown => ({ text: statusText[item.status] }),
    raw: (item: ScalingItemView) => item.status,
  },
  {
    label: 'Item',
    show: (item: ScalingItemView): Shown => ({
      text: [item.title, ...item.guideLines].join(' · '),
    }),
    raw: (item: ScalingItemView) => item.title,
  },
  {
    label: 'Source',
    show: (item: ScalingItemView): Shown => ({ text: sourceText[item.source] }),
    raw: (item: ScalingItemView) => item.source,
  },
  {
    label: 'Known by',
    show: (item: ScalingItemView): Shown => ({ text: item.how === 'detected' ? 'detected' : 'recorded' }),
  },
  { label: 'Evidence', show: (item: ScalingItemView): Shown => ({ text: item.evidence }) },
  { label: 'Recorded by', show: (item: ScalingItemView) => recorded(item, item.recordedBy) },
  {
    label: 'When',
    show: (item: ScalingItemView) =>
      recorded(item, item.recordedAt ? formatRecordedAt(item.recordedAt) : undefined),
    raw: (item: ScalingItemView) => item.recordedAt ?? null,
  },
  { label: 'Note', show: (item: ScalingItemView) => recorded(item, item.note) },
  { label: 'Why it matters', show: (item: ScalingItemView): Shown => ({ text: item.why }) },
];
