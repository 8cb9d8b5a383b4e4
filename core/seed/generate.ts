// Simulates Pledgr's history for the demo: users arriving on a growth curve, a share converting within
// 30 days, pledges to artists of skewed popularity, amount changes, cancellations and reactivations.
// Pure and deterministic: the same options give the same data. Ids are 1-based positions in each list;
// the writer shifts them past whatever the database already holds.
import { dayMs, demoModel as model, monthMs } from './demo-model.ts';
import { artistWords, firstNames } from './names.ts';
import { Random } from './random.ts';

export interface SeedOptions {
  readonly users: number;
  readonly months: number;
  readonly seed: number;
  /** The end of the simulated history (exclusive); nothing happens at or after it. */
  readonly until: Date;
}

export interface DemoUser {
  readonly name: string;
  readonly createdAt: number;
}

export interface DemoArtist {
  /** 1-based index into `users`, or null for an artist page not owned by a user account. */
  readonly owner: number | null;
  readonly name: string;
  readonly createdAt: number;
}

export interface DemoPledge {
  readonly user: number;
  readonly artist: number;
  readonly amountCents: number;
  readonly createdAt: number;
  readonly cancelledAt: number | null;
}

export interface DemoData {
  readonly users: readonly DemoUser[];
  readonly artists: readonly DemoArtist[];
  readonly pledges: readonly DemoPledge[];
}

export function generateDemoData(options: SeedOptions): DemoData {
  const random = new Random(options.seed);
  const until = options.until.getTime();
  const start = subtractMonths(options.until, options.months).getTime();
  const users = generateUsers(random, options, start, until);
  const artists = generateArtists(random, users, start, until);
  const pledges = new PledgeSimulator(random, artists, until).run(users);
  return { users, artists, pledges };
}

function subtractMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

/** Registration instants with density growing by `monthlyUserGrowth` a month, oldest first. */
function arrivalTimes(random: Random, count: number, start: number, until: number): number[] {
  const growth = ((until - start) / monthMs) * Math.log(1 + model.monthlyUserGrowth);
  const times = Array.from({ length: count }, () => {
    const share = Math.log(1 + random.float() * Math.expm1(growth)) / growth;
    return Math.floor(start + share * (until - start));
  });
  return times.sort((a, b) => a - b);
}

function generateUsers(random: Random, options: SeedOptions, start: number, until: number): DemoUser[] {
  return arrivalTimes(random, options.users, start, until).map((createdAt) => ({
    name: `${random.pick(firstNames)} ${String.fromCharCode(65 + random.index(26))}.`,
    createdAt,
  }));
}

function generateArtists(
  random: Random,
  users: readonly DemoUser[],
  start: number,
  until: number,
): DemoArtist[] {
  const count = Math.max(model.minArtists, Math.round(users.length / model.usersPerArtist));
  // The first few pages exist from day one, so the earliest fans have someone to back.
  const founding = Math.min(count, model.minArtists);
  const times = [
    ...Array.from({ length: founding }, () => start),
    ...arrivalTimes(random, count - founding, start, until),
  ];
  let registered = 0;
  return times.map((createdAt) => {
    while (registered < users.length && (users[registered] as DemoUser).createdAt < createdAt) registered++;
    const owner =
      registered > 0 && random.chance(model.ownedArtistShare) ? random.index(registered) + 1 : null;
    return { owner, name: `${random.pick(artistWords[0])} ${random.pick(artistWords[1])}`, createdAt };
  });
}

/** Follows each user's pledges through time: changes, cancellations, reactivations and extra artists. */
class PledgeSimulator {
  readonly #pledges: DemoPledge[] = [];
  /** Cumulative popularity weights in creation order, so picking among the artists that exist is a search. */
  readonly #cumulativeWeight: number[] = [];

  constructor(
    private readonly random: Random,
    private readonly artists: readonly DemoArtist[],
    private readonly until: number,
  ) {
    const ranks = shuffledRanks(random, artists.length);
    let total = 0;
    for (const rank of ranks) {
      total += 1 / rank ** model.artistPopularityExponent;
      this.#cumulativeWeight.push(total);
    }
  }

  run(users: readonly DemoUser[]): DemoPledge[] {
    users.forEach((user, index) => {
      const first = this.firstPledgeAt(user.createdAt);
      if (first === null) return;
      const backed = new Set<number>();
      let next: number = first;
      do {
        const artist = this.pickNewArtist(next, backed);
        backed.add(artist);
        this.followPledge(index + 1, next, artist, this.pickAmount());
        next += this.random.exponential(model.extraArtistMeanDelayMs);
      } while (this.random.chance(model.extraArtistChance) && next < this.until);
    });
    return this.#pledges;
  }

  private firstPledgeAt(registeredAt: number): number | null {
    const random = this.random;
    let delay: number;
    if (random.chance(model.conversionWithin30Days)) {
      delay = random.chance(model.firstDayShareOfConverters)
        ? random.between(5 * 60_000, dayMs)
        : random.between(dayMs, 30 * dayMs - 1);
    } else if (random.chance(model.lateConversion)) {
      delay = 30 * dayMs + random.exponential(model.lateConversionMeanDelayMs);
    } else {
      return null;
    }
    const at = registeredAt + Math.floor(delay);
    return at < this.until ? at : null;
  }

  /** One pledge chain: amount changes replace the pledge at the same instant; a cancel may be followed later. */
  private followPledge(user: number, from: number, artist: number, amountCents: number): void {
    const random = this.random;
    let createdAt = from;
    let amount = amountCents;
    for (;;) {
      const toCancel = random.exponential(monthMs / model.monthlyCancelHazard);
      const toChange = random.exponential(monthMs / model.monthlyAmountChangeHazard);
      const eventAt = createdAt + Math.ceil(Math.min(toCancel, toChange));
      if (eventAt >= this.until) {
        this.#pledges.push({ user, artist, amountCents: amount, createdAt, cancelledAt: null });
        return;
      }
      this.#pledges.push({ user, artist, amountCents: amount, createdAt, cancelledAt: eventAt });
      if (toChange < toCancel) {
        amount = this.changedAmount(amount);
        createdAt = eventAt;
        continue;
      }
      if (!random.chance(model.reactivationChance)) return;
      const returnAt = eventAt + Math.ceil(random.exponential(model.reactivationMeanDelayMs));
      if (returnAt >= this.until) return;
      const nextArtist = random.chance(0.5) ? artist : this.pickArtist(returnAt);
      this.followPledge(user, returnAt, nextArtist, this.pickAmount());
      return;
    }
  }

  private pickAmount(): number {
    return model.amountTiersCents[this.random.weighted(model.amountTierWeights)] as number;
  }

  private changedAmount(current: number): number {
    const tiers = model.amountTiersCents;
    const tier = tiers.indexOf(current as (typeof tiers)[number]);
    const up = this.random.chance(model.upgradeShare);
    const next = up ? Math.min(tier + 1, tiers.length - 1) : Math.max(tier - 1, 0);
    // At the top or bottom tier the change goes the other way, so it is always a real change.
    return tiers[next === tier ? (up ? tier - 1 : tier + 1) : next] as number;
  }

  /** Fans back several different artists: a few redraws avoid a second pledge to one already backed. */
  private pickNewArtist(at: number, backed: ReadonlySet<number>): number {
    let artist = this.pickArtist(at);
    for (let attempt = 0; attempt < 3 && backed.has(artist); attempt++) artist = this.pickArtist(at);
    return artist;
  }

  /** A popularity-weighted artist among those whose page existed at `at` (1-based). */
  private pickArtist(at: number): number {
    let existing = 0;
    let high = this.artists.length;
    while (existing < high) {
      const mid = (existing + high) >> 1;
      if ((this.artists[mid] as DemoArtist).createdAt <= at) existing = mid + 1;
      else high = mid;
    }
    const target = this.random.float() * (this.#cumulativeWeight[Math.max(existing, 1) - 1] as number);
    let low = 0;
    high = Math.max(existing, 1) - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.#cumulativeWeight[mid] as number) > target) high = mid;
      else low = mid + 1;
    }
    return low + 1;
  }
}

function shuffledRanks(random: Random, count: number): number[] {
  const ranks = Array.from({ length: count }, (_, i) => i + 1);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = random.index(i + 1);
    [ranks[i], ranks[j]] = [ranks[j] as number, ranks[i] as number];
  }
  return ranks;
}
