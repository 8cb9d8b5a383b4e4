// Reads Pledgr's own scaling guide (../shared/SCALING-GUIDE.md, beside the repository) and checks that GET
// /api/scaling, through the real route, says what it says, word for word: the phases (name, user range,
// platform, database, cost, features), the cost breakdown table, the three checklists and the security
// section. The guide is parsed here, not copied: when it changes, this fails until Pulse follows.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scalingRoutes } from '../../collector/scaling/scaling-routes.ts';
import type { ScalingReport } from '../../collector/scaling/scaling-types.ts';
import { errorHandler, notFound } from '../../core/http/http-errors.ts';
import { migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { scalingServiceFor } from './scaling-support.ts';

const guidePath = fileURLToPath(new URL('../../../shared/SCALING-GUIDE.md', import.meta.url));

interface GuidePhase {
  number: number;
  range: string;
  name: string;
  platform: string;
  database: string;
  cost: string;
  features: string[];
}

interface Guide {
  phases: GuidePhase[];
  costTable: string[][];
  checklists: Map<string, string[]>;
  securityHeading: string;
  security: Map<string, string[]>;
}

/** The text of `### **X** (note)` or `## 🔒 **X**`: X. */
const headingText = (line: string) => /\*\*(.+?)\*\*/.exec(line)?.[1] ?? line.replace(/^#+\s*/, '');

function parseGuide(text: string): Guide {
  const lines = text.split('\n').map((line) => line.trimEnd());
  const phases: GuidePhase[] = [];
  const costTable: string[][] = [];
  const checklists = new Map<string, string[]>();
  const security = new Map<string, string[]>();
  let securityHeading = '';
  let section = '';
  let subsection = '';
  let phase: GuidePhase | null = null;
  let inFence = false;
  for (const line of lines) {
    if (line.startsWith('```')) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    if (line.startsWith('## ')) {
      section = headingText(line);
      subsection = '';
      phase = null;
      if (/Security/.test(section)) securityHeading = section;
      continue;
    }
    if (line.startsWith('### ')) {
      subsection = headingText(line);
      const phaseHeading = /^Phase (\d): (.+) Users \((.+)\)$/.exec(subsection);
      phase = null;
      if (phaseHeading) {
        phase = {
          number: Number(phaseHeading[1]),
          range: phaseHeading[2] as string,
          name: phaseHeading[3] as string,
          platform: '',
          database: '',
          cost: '',
          features: [],
        };
        phases.push(phase);
      }
      continue;
    }
    const field = /^\*\*(Platform|Database|Cost)\*\*: (.+)$/.exec(line);
    if (phase && field) {
      const key = (field[1] as string).toLowerCase() as 'platform' | 'database' | 'cost';
      phase[key] = field[2] as string;
      continue;
    }
    const feature = /^- ✅ (.+)$/.exec(line);
    if (phase && feature) {
      phase.features.push(feature[1] as string);
      continue;
    }
    if (section === 'Cost Breakdown by Scale' && line.startsWith('|')) {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      if (cells[0] !== 'Users' && !/^-+$/.test(cells[0] ?? '')) costTable.push(cells);
      continue;
    }
    const checkbox = /^- \[ \] (.+)$/.exec(line);
    if (checkbox && /^Before [\d,]+ Users$/.test(subsection)) {
      checklists.set(subsection, [...(checklists.get(subsection) ?? []), checkbox[1] as string]);
      continue;
    }
    const bullet = /^- (.+)$/.exec(line);
    if (section === securityHeading && securityHeading && subsection && bullet) {
      security.set(subsection, [...(security.get(subsection) ?? []), bullet[1] as string]);
    }
  }
  return { phases, costTable, checklists, securityHeading, security };
}

/** "$20-100/month" → [2000, 10000, false]; "$200-2000+/month" → [20000, 200000, true]; "$0" → [0, 0, false]. */
function centsOf(cost: string): [number, number, boolean] {
  const match = /^\$(\d+)(?:-(\d+))?(\+)?(?:\/month)?$/.exec(cost);
  if (!match) throw new Error(`cannot read the cost ${cost}`);
  const from = Number(match[1]) * 100;
  const to = match[2] ? Number(match[2]) * 100 : from;
  return [from, to, match[3] === '+'];
}

let guide: Guide;

describeEachDatabase('GET /api/scaling against ../shared/SCALING-GUIDE.md itself', ({ db }) => {
  let report: ScalingReport;
  let close: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    guide = parseGuide(await readFile(guidePath, 'utf8'));
    await migrate(db());
    const app = express();
    app.use(scalingRoutes(scalingServiceFor(db())));
    app.use(notFound);
    app.use(errorHandler(() => undefined));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/scaling`);
    expect(response.status).toBe(200);
    report = (await response.json()) as ScalingReport;
  });
  afterAll(() => close());

  it('finds what it checks in the guide (the parser is not silently reading nothing)', () => {
    expect(guide.phases).toHaveLength(3);
    expect(guide.costTable).toHaveLength(3);
    expect([...guide.checklists.values()].map((items) => items.length)).toEqual([5, 5, 5]);
    expect(guide.securityHeading).not.toBe('');
    expect(guide.security.size).toBeGreaterThanOrEqual(3);
  });

  it('names each phase as the guide does, with its user range, platform, database, cost and features', () => {
    expect(report.phases).toHaveLength(guide.phases.length);
    for (const expected of guide.phases) {
      const phase = report.phases.find((candidate) => candidate.number === expected.number);
      expect(phase, `phase ${expected.number}`).toMatchObject({
        name: expected.name,
        usersLabel: expected.range,
        platform: expected.platform,
        database: expected.database,
        cost: expected.cost,
        features: expected.features,
      });
      // The range's numbers: "1-1,000" starts at 1 (0 counts too) and ends at 1,000; "10,000+" starts at 10,000.
      const [from, to] = expected.range.replaceAll(',', '').replace('+', '').split('-').map(Number);
      expect(phase?.userRange.from === from || (from === 1 && phase?.userRange.from === 0)).toBe(true);
      if (to !== undefined) expect(phase?.userRange.to).toBe(to);
      const [fromCents, toCents, openEnded] = centsOf(expected.cost);
      expect(phase?.costBand).toEqual({ fromCents, toCents, openEnded, label: expected.cost });
    }
    expect(report.phase.name).toBe(guide.phases[0]?.name);
  });

  it('has every row of the cost breakdown table, verbatim, with the cost in cents', () => {
    expect(
      report.costBreakdown.map((row) => [
        row.users,
        row.platform,
        row.database,
        row.monthlyCost,
        row.features,
      ]),
    ).toEqual(guide.costTable);
    for (const row of report.costBreakdown) {
      const [fromCents, toCents, openEnded] = centsOf(row.monthlyCost);
      expect([row.fromCents, row.toCents, row.openEnded]).toEqual([fromCents, toCents, openEnded]);
    }
  });

  it('lists every checklist line of the guide under its heading, in its words and order, as source "guide"', () => {
    for (const [heading, lines] of guide.checklists) {
      const phase = report.phases.find((candidate) => candidate.checklistHeading === heading);
      expect(phase, heading).toBeDefined();
      const guideItems = phase?.items.filter((item) => item.source === 'guide') ?? [];
      expect(guideItems.map((item) => item.title)).toEqual(lines);
      for (const item of guideItems) expect([item.section, item.heading]).toEqual(['checklist', heading]);
    }
    // Nothing else claims to be the guide's.
    const guideTitles = [...guide.checklists.values()].flat();
    const claimed = report.phases.flatMap((phase) => phase.items).filter((item) => item.source === 'guide');
    expect(claimed).toHaveLength(guideTitles.length);
  });

  it('has the security section: each heading and line of the guide as an item or its lines', () => {
    expect(report.security.heading).toBe(guide.securityHeading);
    const items = report.security.items.filter((item) => item.source === 'guide');
    for (const [heading, lines] of guide.security) {
      const under = items.filter((item) => item.heading === heading);
      const single = under.length === 1 && under[0]?.title === heading;
      // Either one item named by the heading that carries the lines ("Rate Limiting": "API: 100
      // requests/15min"), or one item per line ("Data Encryption": "TLS 1.3 for transport").
      if (single) expect(under[0]?.guideLines).toEqual(lines);
      else expect(under.map((item) => item.title)).toEqual(lines);
      for (const item of under) expect(item.section).toBe('security');
    }
    expect(items.length).toBe(
      [...guide.security].reduce((sum, [heading, lines]) => {
        const named = items.some((item) => item.heading === heading && item.title === heading);
        return sum + (named ? 1 : lines.length);
      }, 0),
    );
  });
});
