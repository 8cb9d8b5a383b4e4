// The live-health series as the charts read them: the report's points with each live tick appended and
// points older than the window dropped, and one Chart.js line config per chart (labels are local clock times).
import type { ChartConfiguration } from 'chart.js';
import type { HealthPoint } from '../../lib/api-types.ts';
import { palette } from '../../lib/chart.svelte.ts';
import type { Shown } from '../../lib/format.ts';

export const healthWindows = ['5m', '15m', '1h', '6h'] as const;
export type HealthWindow = (typeof healthWindows)[number];

export const windowSeconds: Record<HealthWindow, number> = {
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '6h': 21_600,
};

export function parseWindow(text: string): HealthWindow {
  return (healthWindows as readonly string[]).includes(text) ? (text as HealthWindow) : '15m';
}

/** One line of a chart: its legend label and how to read it from a point. */
export interface Series {
  readonly label: string;
  readonly value: (point: HealthPoint) => number | null;
}

/** `points` with `tick` appended (unless it is not newer than the last) and points older than the window dropped. */
export function appendTick(
  points: readonly HealthPoint[],
  tick: HealthPoint,
  seconds: number,
): readonly HealthPoint[] {
  const last = points.at(-1);
  if (last && tick.t <= last.t) return points;
  const cutoff = tick.t - seconds * 1000;
  return [...points.filter((point) => point.t >= cutoff), tick];
}

/** How a chart's y axis reads: short tick labels, and a floor for the top so a flat 0 is not a 0–100 % axis. */
export interface Axis {
  readonly tick: (value: number) => string;
  readonly suggestedMax?: number;
  /** 0 for whole-number series (connections). */
  readonly precision?: number;
}

/** Up to three significant digits, trailing zeros dropped. */
const trim = (value: number) => String(Number(value.toPrecision(3)));

export const axes = {
  rate: { tick: (v) => `${trim(v)}/s` },
  ratio: { tick: (v) => `${trim(v * 100)} %`, suggestedMax: 0.01 },
  share: { tick: (v) => `${trim(v * 100)} %`, suggestedMax: 1 },
  seconds: { tick: (v) => (v === 0 ? '0' : v < 1 ? `${trim(v * 1000)} ms` : `${trim(v)} s`) },
  count: { tick: trim, precision: 0 },
  megabytes: { tick: (v) => `${trim(v)} MB` },
} as const satisfies Record<string, Axis>;

/** The profile cache's tile text: no cache at all, no look-ups in the window, or the hit ratio. */
export const noCacheText = 'no cache (REDIS_URL unset)';

export function clockTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString('en-GB', { hour12: false });
}

export function lineConfig(
  points: readonly HealthPoint[],
  series: readonly Series[],
  format: (value: number | null) => Shown,
  axis: Axis,
): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: points.map((point) => clockTime(point.t)),
      datasets: series.map((line, index) => ({
        label: line.label,
        data: points.map(line.value),
        borderColor: palette[index % palette.length],
        backgroundColor: palette[index % palette.length],
        borderWidth: 1.5,
        pointRadius: 0,
      })),
    },
    options: {
      scales: {
        x: { ticks: { maxTicksLimit: 6, maxRotation: 0 } },
        y: {
          beginAtZero: true,
          ...(axis.suggestedMax === undefined ? {} : { suggestedMax: axis.suggestedMax }),
          ticks: {
            callback: (value) => axis.tick(Number(value)),
            ...(axis.precision === undefined ? {} : { precision: axis.precision }),
          },
        },
      },
      plugins: {
        legend: { display: series.length > 1, position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.parsed.y).text}` } },
      },
    },
  };
}
