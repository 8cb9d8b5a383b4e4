// The demo data `pulse start --demo` writes into an empty database: past the 1K milestone and the embedded
// database's 100-user limit, quick to load. Its own module so that `pulse start --help` can quote it without
// loading the system.
export const demoSize = { users: 2_000, months: 18, seed: 1 } as const;
