// Chart.js for the dashboard: only the controllers, elements and scales the views use are registered (not
// the whole library), colours follow the light/dark theme, and charts are created in an {@attach} that
// updates them in place when their data changes (no flicker on live ticks) and destroys them with the
// canvas. After each draw the canvas says how many points it drew (data-drawn), for tests and screen
// readers' summaries alike.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js';
import { untrack } from 'svelte';

const drawnMarker: Plugin = {
  id: 'pulseDrawnMarker',
  afterRender(chart) {
    const points = chart.data.datasets.reduce(
      (sum, dataset) => sum + dataset.data.filter((value) => value !== null && value !== undefined).length,
      0,
    );
    chart.canvas.dataset.drawn = String(points);
  },
};

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Filler,
  Tooltip,
  Legend,
  drawnMarker,
);

/** A series colour by position, readable on both themes. */
export const palette = [
  '#4c6ef5',
  '#12b886',
  '#fab005',
  '#fa5252',
  '#be4bdb',
  '#15aabf',
  '#fd7e14',
  '#82c91e',
];

function themeColours(): { text: string; grid: string } {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue('--muted').trim() || '#666',
    grid: style.getPropertyValue('--border').trim() || '#ddd',
  };
}

/** Shared defaults: no animation on updates, compact legend, theme colours. */
function withDefaults<T extends ChartType>(config: ChartConfiguration<T>): ChartConfiguration<T> {
  const { text, grid } = themeColours();
  Chart.defaults.color = text;
  Chart.defaults.borderColor = grid;
  return {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      ...config.options,
    } as ChartConfiguration<T>['options'],
  };
}

/**
 * Use as `<canvas {@attach chart(() => config)}>`: `config` is read reactively; a change of data or options
 * updates the chart without recreating it.
 */
export function chart<T extends ChartType>(config: () => ChartConfiguration<T>) {
  return (canvas: HTMLCanvasElement) => {
    const instance = new Chart(canvas, withDefaults(untrack(config)));
    $effect(() => {
      const next = withDefaults(config());
      instance.data = next.data;
      if (next.options) instance.options = next.options;
      instance.update('none');
    });
    return () => instance.destroy();
  };
}
