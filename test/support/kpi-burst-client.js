// The load side of test/support/kpi-burst.ts, run in a worker thread so that sending, receiving and decompressing
// the answers does not count against the event loop being measured (the servers' loop, on the main thread).
// Plain JavaScript: a worker cannot inherit the TypeScript loader under every runner (tsx, vitest).
//   mode "burst": `concurrency` clients send `paths` back to back until every path is answered; a 503 is
//                 retried after its Retry-After (capped) when `retryBusy` is set.
//   mode "poll":  GETs every URL in `urls` every `intervalMs` until told to stop; reports the latencies.
import { parentPort, workerData } from 'node:worker_threads';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function burst({ baseUrl, paths, concurrency, token, retryBusy, maxRetryWaitMs }) {
  const statuses = {};
  const busyCodes = {};
  let busyWithoutRetryAfter = 0;
  let failures = 0;
  let bytes = 0;
  let maxLatencyMs = 0;
  let next = 0;
  const client = async () => {
    while (next < paths.length) {
      const path = paths[next++];
      for (;;) {
        const started = performance.now();
        let response;
        try {
          response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
          const body = await response.arrayBuffer();
          bytes += body.byteLength;
          if (response.status === 503) {
            const code = JSON.parse(new TextDecoder().decode(body)).error?.code ?? 'none';
            busyCodes[code] = (busyCodes[code] ?? 0) + 1;
          }
        } catch {
          failures++;
          break;
        }
        maxLatencyMs = Math.max(maxLatencyMs, performance.now() - started);
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (response.status !== 503) break;
        const retryAfter = Number(response.headers.get('retry-after'));
        if (!(retryAfter > 0)) busyWithoutRetryAfter++;
        if (!retryBusy) break;
        await sleep(Math.min((retryAfter > 0 ? retryAfter : 1) * 1000, maxRetryWaitMs));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  return {
    statuses,
    busyCodes,
    busyWithoutRetryAfter,
    failures,
    bytes,
    maxLatencyMs,
    elapsedMs: performance.now() - started,
  };
}

async function poll({ urls, intervalMs }) {
  let stopped = false;
  parentPort.once('message', () => {
    stopped = true;
  });
  const latencies = Object.fromEntries(urls.map((url) => [url, []]));
  const failures = Object.fromEntries(urls.map((url) => [url, 0]));
  parentPort.postMessage({ ready: true });
  while (!stopped) {
    await Promise.all(
      urls.map(async (url) => {
        const started = performance.now();
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
          await response.arrayBuffer();
          if (response.status !== 200) failures[url]++;
        } catch {
          failures[url]++;
        }
        latencies[url].push(performance.now() - started);
      }),
    );
    await sleep(intervalMs);
  }
  return Object.fromEntries(
    urls.map((url) => {
      const sorted = latencies[url].sort((a, b) => a - b);
      return [
        url,
        {
          count: sorted.length,
          failures: failures[url],
          maxMs: sorted.at(-1) ?? 0,
          p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
        },
      ];
    }),
  );
}

const result = workerData.mode === 'burst' ? await burst(workerData) : await poll(workerData);
parentPort.postMessage({ result });
