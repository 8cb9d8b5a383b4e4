// The agent's PromQL for panels: the collector's own expressions (core/telemetry/promql.ts, the single
// place they are written) narrowed to the dashboard's selection by adding label matchers to every selector
// of an agent metric. HTTP series get the HTTP matchers (they carry `http_route`), every other agent series
// the instance/version matchers.
import { metric } from '../../core/telemetry/agent-metric-names.ts';

const histogramSuffixes = '_bucket|_count|_sum';
const names = Object.values(metric).sort((a, b) => b.length - a.length);
const selector = new RegExp(`\\b(${names.join('|')})(${histogramSuffixes})?\\b(?:\\{([^}]*)\\})?`, 'g');

export interface AgentMatchers {
  /** For `http_server_request_duration_*`. */
  readonly http: readonly string[];
  /** For every other agent metric. */
  readonly other: readonly string[];
}

/** `sum(rate(http_server_request_duration_count[1m]))` → `…_count{http_route=~"$route", …}[1m]…`. */
export function narrow(expr: string, matchers: AgentMatchers): string {
  let found = 0;
  const narrowed = expr.replace(selector, (_all, name: string, suffix = '', existing?: string) => {
    found++;
    const added = name === metric.httpDuration ? matchers.http : matchers.other;
    const all = [...(existing ? [existing] : []), ...added];
    return `${name}${suffix}{${all.join(', ')}}`;
  });
  if (found === 0) throw new Error(`no agent metric in ${expr}`);
  return narrowed;
}
