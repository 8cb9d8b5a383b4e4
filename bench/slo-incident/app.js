// The app the SLO incident rehearsal (bench/slo-incident.ts) breaks on purpose: a small Express app run under
// the drop-in agent, whose faults are read every 250 ms from the JSON file FAULT_STATE_FILE —
// { "errorShare": 0.3, "slowShare": 0.05, "slowMs": 600 } — so the rehearsal can start and stop an incident
// without restarting the process (a restart would reset the counters the burn rates are computed from).
import { readFileSync } from 'node:fs';
import express from 'express';

const port = Number(process.env.PORT ?? 3000);
const stateFile = process.env.FAULT_STATE_FILE;
let faults = { errorShare: 0, slowShare: 0, slowMs: 600 };
setInterval(() => {
  try {
    faults = { ...faults, ...JSON.parse(readFileSync(stateFile, 'utf8')) };
  } catch {
    // a file being rewritten: keep the last faults
  }
}, 250).unref();

const app = express();
app.use(express.json());
const answer = (ok) => async (_req, res) => {
  if (Math.random() < faults.slowShare) await new Promise((resolve) => setTimeout(resolve, faults.slowMs));
  if (Math.random() < faults.errorShare) return res.status(500).json({ error: 'injected fault' });
  res.status(ok).json({ ok: true });
};
app.get('/api/artists/:id', answer(200));
app.post('/api/pledges', answer(201));
const server = app.listen(port, '127.0.0.1', () => console.log(`incident app on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
