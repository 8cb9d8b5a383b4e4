// Where Debian's Chromium is and the flags it runs with headless on this closed network (../shared/STACK.md:
// without the networking flags it floods the network). Shared by the dashboard tests and its benchmark.
export const chromiumPath = process.env.PULSE_TEST_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
