// `pulse instrument -- <command…>`: the command runs with the drop-in agent in NODE_OPTIONS — an Express app
// started through a wrapper Node process (as `npm start` would) serves route-templated metrics from
// the process that listens — and the command's exit code is passed through unchanged.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/agent-process.ts';
import { cliBin, runCli } from '../support/run-cli.ts';

const tinyApp = `
const express = require('express');
const app = express();
const api = express.Router();
api.get('/artists/:id', (req, res) => res.json({ id: req.params.id }));
app.use('/api', api);
app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening as ' + process.pid));
`;

const wrapper = `require('node:child_process').spawn(process.execPath, ['-e', process.env.APP], { stdio: 'inherit' })
  .on('exit', (code) => process.exit(code ?? 1));`;

describe('pulse instrument', () => {
  it('passes the command’s exit code through, and refuses a missing command with exit 2', async () => {
    expect((await runCli(['instrument', '--', process.execPath, '-e', 'process.exit(7)'])).code).toBe(7);
    const missing = await runCli(['instrument']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/command/);
  });

  it('instruments an unmodified Express app started through a wrapper process', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      // The wrapper is itself a Node process with the agent loaded: it must not take the metrics port.
      [cliBin, 'instrument', '--', process.execPath, '-e', wrapper],
      { env: { ...process.env, APP: tinyApp, PORT: String(port), METRICS_PORT: String(metricsPort) } },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('listening') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      for (const id of [1, 2, 3])
        expect((await fetch(`http://127.0.0.1:${port}/api/artists/${id}`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const line = metrics
        .split('\n')
        .find(
          (text) =>
            text.startsWith('http_server_request_duration_count') &&
            text.includes('http_route="/api/artists/:id"'),
        );
      expect(line).toMatch(/ 3$/);
    } finally {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      // SIGTERM ends pulse and the wrapper; the app, the wrapper's child, would outlive the test.
      const app = /listening as (\d+)/.exec(output)?.[1];
      if (app) {
        try {
          process.kill(Number(app), 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  });
});
