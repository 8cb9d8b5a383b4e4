// The drop-in never breaks the app: a fault in its recording code is logged once, without request data, and
// switches off that one signal; other signals go on; patching a module it does not recognise leaves the
// module untouched and says so once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { patchExpress } from '../../agent/drop-in/express-routes.ts';
import { guarded, isOff } from '../../agent/drop-in/fault-guard.ts';
import { patchPg } from '../../agent/drop-in/pg-client.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const stderrLines = () => {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
};

describe('fault guard', () => {
  it('logs the first fault of a signal once, switches that signal off, and leaves the others on', () => {
    const lines = stderrLines();
    let calls = 0;
    for (let i = 0; i < 5; i++) {
      guarded('test-signal', () => {
        calls += 1;
        throw new TypeError('boom');
      });
    }
    expect(calls).toBe(1);
    expect(isOff('test-signal')).toBe(true);
    expect(lines).toEqual([
      'pulse agent: test-signal metrics switched off after an internal fault (TypeError: boom)\n',
    ]);
    let other = 0;
    guarded('other-signal', () => {
      other += 1;
    });
    expect(other).toBe(1);
    expect(isOff('other-signal')).toBe(false);
  });

  it('leaves an unrecognised express or pg untouched and says so once', () => {
    const lines = stderrLines();
    const notExpress = { Router: { use: 'not a function' } };
    const notPg = { Client: {} };
    expect(() => patchExpress(notExpress)).not.toThrow();
    expect(() => patchExpress(notExpress)).not.toThrow();
    expect(() => patchPg(notPg)).not.toThrow();
    expect(notExpress).toEqual({ Router: { use: 'not a function' } });
    expect(notPg).toEqual({ Client: {} });
    expect(lines.filter((line) => line.includes('express metrics switched off'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('pg metrics switched off'))).toHaveLength(1);
  });
});
