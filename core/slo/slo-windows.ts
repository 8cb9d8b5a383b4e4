// The windows burn rates are measured over (the SRE workbook's alert table uses each of them as a long or a
// short window), by name and length. GET /api/slo answers one burn rate per window in this order.

export const burnWindows = {
  '5m': 300,
  '30m': 1_800,
  '1h': 3_600,
  '2h': 7_200,
  '6h': 21_600,
  '1d': 86_400,
  '3d': 259_200,
} as const satisfies Record<string, number>;

export type BurnWindow = keyof typeof burnWindows;

/** Shortest first. */
export const burnWindowNames = Object.keys(burnWindows) as BurnWindow[];
