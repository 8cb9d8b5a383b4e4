// A preload for tests that must see which modules a process loads: `node --import <this file> …` with
// PULSE_MODULE_LOG naming a file gets one line per resolved import (the resolved URL), in load order.
// Plain JavaScript so that it loads before tsx (or without it). Used by test/cli/compiled-cli.test.ts.
import { register } from 'node:module';

const file = process.env.PULSE_MODULE_LOG;
if (file) register('./module-log-hooks.js', import.meta.url, { data: { file } });
