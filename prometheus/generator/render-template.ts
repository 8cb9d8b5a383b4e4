// Renders the few Prometheus template forms the generated annotations use ($value through humanize*,
// printf `%.0f` and `%.3g` — Go raw strings, so the YAML needs no escaped quotes —, and $labels.name) the way
// Prometheus's Go code prints them, so the generated promtool tests can state the exact annotation text
// they expect. Any other template is refused rather than guessed.

/** Go's `%.4g`: four significant digits, trailing zeros dropped, exponent form outside 1e-4 … 1e4. */
export function goG4(value: number): string {
  return goG(value, 4);
}

/** Go's `%.<precision>g`: exponent form below 1e-4 and from 10^precision on. */
export function goG(value: number, precision: number): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(Number(value.toPrecision(precision)))));
  if (exponent < -4 || exponent >= precision) {
    const [mantissa, power] = value.toExponential(precision - 1).split('e') as [string, string];
    const digits = String(Math.abs(Number(power))).padStart(2, '0');
    return `${Number(mantissa)}e${Number(power) < 0 ? '-' : '+'}${digits}`;
  }
  return String(Number(value.toPrecision(precision)));
}

function humanize(value: number): string {
  let v = value;
  let prefix = '';
  if (v === 0 || Number.isNaN(v)) return goG4(v);
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${goG4(v)}${prefix}`;
}

function humanize1024(value: number): string {
  let v = value;
  if (Math.abs(v) <= 1) return goG4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${goG4(v)}${prefix}`;
}

function humanizeDuration(value: number): string {
  if (Math.abs(value) >= 1) {
    const whole = Math.trunc(Math.abs(value));
    const [days, hours, minutes, seconds] = [
      Math.trunc(whole / 86_400),
      Math.trunc(whole / 3600) % 24,
      Math.trunc(whole / 60) % 60,
      whole % 60,
    ];
    const sign = value < 0 ? '-' : '';
    if (days) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG4(Math.abs(value))}s`;
  }
  return `${humanize(value).replace(/[kMGTPEZY]$/, '')}s`;
}

const forms: Record<string, (value: number) => string> = {
  '$value | humanize': humanize,
  '$value | humanize1024': humanize1024,
  '$value | humanizeDuration': humanizeDuration,
  '$value | humanizePercentage': (value) => `${humanize(value * 100)}%`,
  'printf `%.0f` $value': (value) => Math.round(value).toFixed(0),
  'printf `%.3g` $value': (value) => goG(value, 3),
};

export function renderTemplate(
  text: string,
  value: number,
  labels: Readonly<Record<string, string>>,
): string {
  return text.replace(/\{\{ (.+?) \}\}/g, (_, form: string) => {
    const label = /^\$labels\.(\w+)$/.exec(form)?.[1];
    if (label !== undefined) {
      const labelValue = labels[label];
      if (labelValue === undefined) throw new Error(`template reads a label the series lacks: ${label}`);
      return labelValue;
    }
    const format = forms[form];
    if (!format) throw new Error(`template form not rendered here: {{ ${form} }}`);
    return format(value);
  });
}
