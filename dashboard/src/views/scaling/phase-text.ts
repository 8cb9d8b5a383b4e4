// Phase ranges in words, as the scaling guide writes them ("1,000–10,000 users"). Ranges are half-open
// [from, to): 10,000 users is already the next phase. The last phase also covers every count beyond the end
// of the guide.
const count = (value: number) => value.toLocaleString('en-US');

export function userRangeText(from: number, to: number, last: boolean): string {
  return `${count(from)}–${count(to)} users${last ? ' and beyond' : ''}`;
}
