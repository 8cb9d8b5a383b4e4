// Canary / blue-green comparison: splits instances into baseline and candidate by service_version (or
// deployment_color), then judges the candidate on error ratio and p95 over the window — only once both sides
// have a minimum number of requests, so a handful of slow first requests cannot fail a deployment.

import type { CanaryComparison } from './types.ts';
import { addWindows, summarize, type WindowStats } from './window-stats.ts';

export interface CanaryOptions {
  /** Requests each side needs in the window before any verdict (default 200). */
  readonly minRequests: number;
  /** Degraded when the candidate's error ratio exceeds the baseline's by more than this (a ratio: 0.01 = 1 point). */
  readonly errorRatioMargin: number;
  /** Degraded when the candidate's p95 exceeds the baseline's p95 times this. */
  readonly p95Factor: number;
}

export const defaultCanaryOptions: CanaryOptions = {
  minRequests: 200,
  errorRatioMargin: 0.01,
  p95Factor: 1.5,
};

export interface CanaryMember {
  readonly version: string | null;
  readonly color: string | null;
  readonly canary: boolean;
  /** Epoch ms the instance was first seen; the newest-seen group is the candidate unless one is labelled canary. */
  readonly firstSeen: number;
  readonly stats: WindowStats;
}

type SplitBy = CanaryComparison['splitBy'];

const groupOf = (member: CanaryMember, splitBy: SplitBy) =>
  (splitBy === 'version' ? member.version : member.color) ?? 'unlabelled';

/** Version when versions differ, else colour when colours differ, else null (nothing to compare). */
function chooseSplit(members: readonly CanaryMember[]): SplitBy | null {
  if (new Set(members.map((m) => m.version ?? 'unlabelled')).size > 1) return 'version';
  if (new Set(members.map((m) => m.color ?? 'unlabelled')).size > 1) return 'color';
  return null;
}

function chooseCandidate(members: readonly CanaryMember[], splitBy: SplitBy): string {
  const labelled = members.filter((m) => m.canary);
  const pool = labelled.length > 0 && labelled.length < members.length ? labelled : members;
  const firstSeen = new Map<string, number>();
  for (const member of pool) {
    const group = groupOf(member, splitBy);
    firstSeen.set(group, Math.min(firstSeen.get(group) ?? Number.POSITIVE_INFINITY, member.firstSeen));
  }
  // The group that appeared last is the new deployment; ties go to the greater name, for a stable answer.
  return [...firstSeen].sort(([a, ta], [b, tb]) => tb - ta || b.localeCompare(a))[0]?.[0] as string;
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(2)} %`);
const millis = (value: number | null) => (value === null ? 'n/a' : `${(value * 1000).toFixed(1)} ms`);

export function compareCanary(
  members: readonly CanaryMember[],
  options: CanaryOptions = defaultCanaryOptions,
): CanaryComparison | null {
  const splitBy = chooseSplit(members);
  if (splitBy === null) return null;
  const candidate = chooseCandidate(members, splitBy);
  const inCandidate = (m: CanaryMember) => groupOf(m, splitBy) === candidate;
  const candidateSide = summarize(addWindows(members.filter(inCandidate).map((m) => m.stats)));
  const baselineMembers = members.filter((m) => !inCandidate(m));
  const baseline = [...new Set(baselineMembers.map((m) => groupOf(m, splitBy)))].sort().join('+');
  const baselineSide = summarize(addWindows(baselineMembers.map((m) => m.stats)));

  const reasons: string[] = [];
  let verdict: CanaryComparison['verdict'];
  const short = (side: string, requests: number) =>
    `${side} has ${requests} requests in the window; ${options.minRequests} needed before a verdict`;
  if (baselineSide.requests < options.minRequests || candidateSide.requests < options.minRequests) {
    verdict = 'insufficient_data';
    if (candidateSide.requests < options.minRequests)
      reasons.push(short(`candidate ${candidate}`, candidateSide.requests));
    if (baselineSide.requests < options.minRequests)
      reasons.push(short(`baseline ${baseline}`, baselineSide.requests));
  } else {
    const errorLimit = (baselineSide.errorRatio ?? 0) + options.errorRatioMargin;
    if ((candidateSide.errorRatio ?? 0) > errorLimit) {
      reasons.push(
        `candidate ${candidate} error ratio ${percent(candidateSide.errorRatio)} exceeds baseline ${baseline} ` +
          `${percent(baselineSide.errorRatio)} by more than ${percent(options.errorRatioMargin)}`,
      );
    }
    if (
      candidateSide.p95 !== null &&
      baselineSide.p95 !== null &&
      candidateSide.p95 > baselineSide.p95 * options.p95Factor
    ) {
      reasons.push(
        `candidate ${candidate} p95 ${millis(candidateSide.p95)} exceeds baseline ${baseline} ` +
          `${millis(baselineSide.p95)} × ${options.p95Factor}`,
      );
    }
    verdict = reasons.length > 0 ? 'degraded' : 'healthy';
    if (verdict === 'healthy') {
      reasons.push(
        `candidate ${candidate} error ratio ${percent(candidateSide.errorRatio)} and p95 ${millis(candidateSide.p95)} ` +
          `are within the limits set by baseline ${baseline} (${percent(baselineSide.errorRatio)}, ${millis(baselineSide.p95)})`,
      );
    }
  }
  return {
    splitBy,
    baseline,
    candidate,
    baselineRequests: baselineSide.requests,
    candidateRequests: candidateSide.requests,
    baselineErrorRatio: baselineSide.errorRatio,
    candidateErrorRatio: candidateSide.errorRatio,
    baselineP95: baselineSide.p95,
    candidateP95: candidateSide.p95,
    verdict,
    reasons,
  };
}
