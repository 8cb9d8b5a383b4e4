// The "Scaling guide" row of the scaling dashboard, from core/scaling/scaling-guide.ts (Pledgr's
// SCALING-GUIDE.md as data, the words GET /api/scaling serves): the three phases and the cost breakdown table
// as markdown, the checklist from the collector's pledgr_scaling_item_status (item ids shown as the guide's
// titles, values as done/todo/unknown) and the current phase from pledgr_scaling_phase.

import {
  costBreakdown,
  costBreakdownHeading,
  scalingItems,
  scalingPhases,
  securityHeading,
} from '../../core/scaling/scaling-guide.ts';
import { collectorMetric, scalingStatusValue } from '../../core/telemetry/collector-metric-names.ts';
import type { RowSpec } from '../builder/dashboard.ts';
import { prometheusDatasource as datasource } from '../builder/datasources.ts';
import { stat, table, text, type ValueMapping, valueMappings } from '../builder/panels.ts';
import { prom } from '../builder/queries.ts';

const itemStatus = collectorMetric.scalingItemStatus;
const currentPhase = collectorMetric.scalingPhase;

/** A markdown table cell: pipes escaped, no line breaks. */
const cell = (value: string) => value.replaceAll('|', '\\|').replace(/\s+/g, ' ');

/** The guide's phases (name, users, platform, database, cost, features) and its cost breakdown table. */
export function scalingGuideMarkdown(): string {
  const phases = scalingPhases.flatMap((phase) => [
    `### Phase ${phase.number}: ${phase.usersLabel} Users (${phase.name})`,
    '',
    `**Platform**: ${phase.platform}  `,
    `**Database**: ${phase.database}  `,
    `**Cost**: ${phase.cost}  `,
    '**Features**:',
    '',
    ...phase.features.map((feature) => `- ${feature}`),
    '',
    `Checklist: _${phase.checklistHeading}_`,
    '',
  ]);
  const table = [
    '| Users | Platform | Database | Monthly Cost | Features |',
    '|-------|----------|----------|--------------|----------|',
    ...costBreakdown.map(
      (row) =>
        `| ${[row.users, row.platform, row.database, row.monthlyCost, row.features].map(cell).join(' | ')} |`,
    ),
  ];
  return [...phases, `### ${costBreakdownHeading}`, '', ...table, ''].join('\n');
}

const statusMapping: ValueMapping = {
  [String(scalingStatusValue.done)]: { text: 'done', color: 'green' },
  [String(scalingStatusValue.todo)]: { text: 'todo', color: 'orange' },
  [String(scalingStatusValue.unknown)]: { text: 'unknown', color: 'text' },
};

/** Item ids (the metric's `item` label) as the guide's words; Pulse's own items marked. */
const itemMapping: ValueMapping = Object.fromEntries(
  scalingItems.map((item) => [
    item.id,
    { text: item.source === 'pulse' ? `${item.title} (Pulse)` : item.title },
  ]),
);

/** Phase numbers (the `phase` label and pledgr_scaling_phase) as the guide's phase names. */
const phaseMapping: ValueMapping = Object.fromEntries([
  ...scalingPhases.map((phase) => [
    String(phase.number),
    { text: `${phase.number} ${phase.name} (${phase.usersLabel})` },
  ]),
  ['security', { text: securityHeading }],
]);

export function scalingGuideRow(): RowSpec {
  return {
    title: 'Scaling guide',
    panels: [
      text({
        title: "The scaling guide's phases and costs",
        description:
          "Pledgr's scaling guide (SCALING-GUIDE.md) word for word, as GET /api/scaling serves it (core/scaling/scaling-guide.ts).",
        content: scalingGuideMarkdown(),
        w: 9,
        h: 24,
      }),
      table({
        title: 'Checklist',
        description: `Every item of the guide's checklists and its security section, and Pulse's own, as GET /api/scaling evaluated it last (at most a minute ago): ${itemStatus} is 1 done, 0 todo, -1 unknown.`,
        datasource,
        w: 11,
        h: 24,
        columns: [
          { name: 'phase', label: 'Phase', mappings: phaseMapping },
          { name: 'item', label: 'Item', mappings: itemMapping },
          { name: 'source', label: 'Source' },
          { name: 'Value', label: 'Status', mappings: statusMapping, colorText: true },
        ],
        hide: ['Time'],
        order: ['phase', 'item', 'source', 'Value'],
        sortBy: ['Phase'],
        queries: [prom(`max by (phase, item, source) (${itemStatus})`, '', { instant: true })],
      }),
      stat({
        title: 'Current phase',
        description: `The guide's phase for the user count now (${currentPhase}).`,
        datasource,
        w: 4,
        h: 6,
        mappings: valueMappings(
          Object.fromEntries(
            scalingPhases.map((phase) => [String(phase.number), { text: `${phase.number} ${phase.name}` }]),
          ),
        ),
        queries: [prom(`max(${currentPhase})`, 'phase')],
      }),
    ],
  };
}
