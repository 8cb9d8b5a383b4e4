// Phase ranges in words. The guide writes them "1-1,000", "1,000-10,000" and "10,000+" (usersLabel, shown
// as it is); Pulse's ranges are half-open [from, to): 10,000 users is already the next phase.
const count = (value: number) => value.toLocaleString('en-US');

export function userRangeText(from: number, to: number, last: boolean): string {
  return `${count(from)}–${count(to)} users${last ? ' and beyond' : ''}`;
}

/** "1,000-10,000 users (the guide's range)". */
export function guideRangeText(usersLabel: string): string {
  return `${usersLabel} users`;
}
