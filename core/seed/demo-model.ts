// The behaviour the demo data imitates, in one place. The bands in the comments are what the seed tests
// check: change a number here and the tests say whether the data is still realistic.

export const dayMs = 86_400_000;
/** An average calendar month, for turning monthly hazards into waiting times. */
export const monthMs = 30.436875 * dayMs;

export const demoModel = {
  /** Registrations grow this much month over month (the founders' growth curve). */
  monthlyUserGrowth: 0.12,
  /** Share of users whose first pledge comes within 30 days of registering: the intended band is ¼–⅓. */
  conversionWithin30Days: 0.3,
  /** Of those who first pledge within 30 days, the share who do it in their first day. */
  firstDayShareOfConverters: 0.55,
  /** Share of the other users who pledge later (after 30 days): they never count as converted. */
  lateConversion: 0.08,
  lateConversionMeanDelayMs: 90 * dayMs,
  /** Chance, after each pledge, of backing one more artist (so 1 + geometric artists per pledger). */
  extraArtistChance: 0.3,
  extraArtistMeanDelayMs: 40 * dayMs,
  /** Monthly hazard of cancelling a pledge: gives a monthly logo churn of a few percent. */
  monthlyCancelHazard: 0.035,
  /** Monthly hazard of changing a pledge's amount (cancel + new pledge at the same instant). */
  monthlyAmountChangeHazard: 0.012,
  /** Share of amount changes that move up a tier rather than down. */
  upgradeShare: 0.65,
  /** Chance that a cancelled pledge is later replaced (a reactivation when the user had none left). */
  reactivationChance: 0.3,
  reactivationMeanDelayMs: 75 * dayMs,
  /** Monthly tiers in cents and how often each is chosen: most pledges are small, a few are large. */
  amountTiersCents: [100, 300, 500, 1000, 2000, 5000, 10000],
  amountTierWeights: [10, 30, 25, 18, 9, 5, 3],
  /** One artist page per this many users (at least `minArtists`), and the share owned by a user account. */
  usersPerArtist: 50,
  minArtists: 8,
  ownedArtistShare: 0.7,
  /** Zipf exponent of artist popularity: a few artists draw most pledges. */
  artistPopularityExponent: 1.1,
} as const;
