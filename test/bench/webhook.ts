import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { SimulatorEvent, signSimulatorBody, simulatorSigningKey } from '../../src/main/core/providers/simulator';
import { CallsRepository } from '../../src/main/core/store/repositories/calls';
import { InboxRepository } from '../../src/main/core/store/repositories/inbox';
import { createTestCore } from '../support/core';
import { waitUntil } from '../support/wait';

// Webhook ingest on loopback (the webhook_* figures). A load generator in a worker thread (so it does not steal the
// server's event loop) POSTs signed simulator events:
//  1. closed loop, 32 connections: events/s until every event is stored AND applied, against the real server;
//  2. the same load against a bare node:http server that reads the body and answers 200 (same run, same client);
//  3. open loop at 1,000 events/s offered: p50/p99 time from sending a request to its answer (and the bare
//     server's p99 under the same load, which shows how much of it is the machine rather than the server).
// Then it checks that every event sent is in the inbox exactly once and was applied to its call exactly once.

const THROUGHPUT_CALLS = 600;
const LATENCY_CALLS = 600;
const KINDS = ['call.ringing', 'call.answered', 'call.transcript', 'call.ended', 'call.analyzed'] as const;
const CONCURRENCY = 32;
const OFFERED_PER_S = 1_000;

interface Item {
  body: string;
  sig: string;
}
interface LoadResult {
  elapsedMs: number;
  latencies: number[];
  statuses: Record<string, number>;
}

// Plain JS, evaluated in the worker: bounded loops over a fixed list of requests.
const GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, path, items, mode, concurrency, perSecond } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: mode === 'closed' ? concurrency : 256 });
const latencies = new Array(items.length).fill(-1);
const statuses = {};
function one(i) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const body = items[i].body;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: {
      'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-sim-signature': items[i].sig } }, (res) => {
      res.resume();
      res.on('end', () => { latencies[i] = performance.now() - t0; statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; resolve(); });
    });
    req.on('error', () => { statuses.error = (statuses.error || 0) + 1; resolve(); });
    req.end(body);
  });
}
async function closed() {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < items.length) await one(next++); }));
}
async function open() {
  const t0 = performance.now();
  const pending = [];
  let sent = 0;
  while (sent < items.length) {
    const due = Math.min(items.length, Math.floor(((performance.now() - t0) * perSecond) / 1000) + 1);
    while (sent < due) pending.push(one(sent++));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
}
(async () => {
  const t0 = performance.now();
  await (mode === 'closed' ? closed() : open());
  const elapsedMs = performance.now() - t0;
  agent.destroy();
  parentPort.postMessage({ elapsedMs, latencies, statuses });
})();
`;

function runLoad(port: number, path: string, items: Item[], mode: 'closed' | 'open'): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(GENERATOR, {
      eval: true,
      workerData: { port, path, items, mode, concurrency: CONCURRENCY, perSecond: OFFERED_PER_S },
    });
    worker.once('message', (result: LoadResult) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchWebhook(): Promise<Record<string, number>> {
  const core = createTestCore();
  try {
    await core.start();
    const key = simulatorSigningKey(core.secrets);
    const calls = new CallsRepository(core.db);
    const url = new URL(core.webhooks.hookUrl('simulator'));

    // The calls the events belong to, placed as the dialer would place them.
    const callIds: number[] = [];
    const providerIds: string[] = [];
    for (let n = 0; n < THROUGHPUT_CALLS + LATENCY_CALLS; n++) {
      const phone = `+9197${String(n).padStart(8, '0')}`;
      const id = calls.insertAttempt({
        campaignId: null,
        contactId: null,
        phone,
        attempt: 1,
        idempotencyKey: `bench-${n}`,
        provider: 'simulator',
        variablesJson: '{}',
        createdAt: Date.now(),
      });
      core.calls.markPlaced(id, `bench_${n}`);
      callIds.push(id);
      providerIds.push(`bench_${n}`);
    }
    // Each call's events in order; calls interleaved, as concurrent calls arrive.
    const eventsFor = (from: number, to: number): Item[] => {
      const items: Item[] = [];
      for (const kind of KINDS) {
        for (let n = from; n < to; n++) {
          const status =
            kind === 'call.ringing'
              ? 'ringing'
              : kind === 'call.ended' || kind === 'call.analyzed'
                ? 'ended'
                : 'in_progress';
          const event: SimulatorEvent = {
            event: kind,
            event_id: kind === 'call.transcript' ? `${kind}#1` : kind,
            call_id: providerIds[n],
            metadata: { attempt_id: callIds[n], idempotency_key: `bench-${n}` },
            to: `+9197${String(n).padStart(8, '0')}`,
            status,
            result: status === 'ended' ? 'completed' : null,
            conversation: status === 'ended',
            occurred_at: Date.now(),
            answered_at: kind === 'call.ringing' ? null : Date.now(),
            ended_at: status === 'ended' ? Date.now() : null,
            duration_s: status === 'ended' ? 42 : null,
            cost: null,
            hangup_reason: status === 'ended' ? 'Call recipient hung up' : null,
            transcript:
              kind === 'call.transcript' || kind === 'call.analyzed'
                ? [
                    { speaker: 'agent', text: `Hello, am I speaking with customer ${n}?`, at_ms: 1000 },
                    { speaker: 'customer', text: 'Yes, speaking. Please confirm my order.', at_ms: 4000 },
                  ]
                : null,
            analysis:
              kind === 'call.analyzed'
                ? {
                    summary: `Customer ${n} confirmed the order.`,
                    sentiment: 'positive',
                    extracted: { outcome: 'confirmed' },
                    outcome: 'confirmed',
                  }
                : null,
            transfer: null,
          };
          const body = JSON.stringify(event);
          items.push({ body, sig: signSimulatorBody(key, body, Date.now()) });
        }
      }
      return items;
    };

    const inbox = new InboxRepository(core.db);
    const stored = (): number => Object.values(inbox.countsByState()).reduce((s, n) => s + (n ?? 0), 0);

    // 1. Throughput, real server: until every event is stored and applied.
    const throughputItems = eventsFor(0, THROUGHPUT_CALLS);
    const ours = await runLoad(Number(url.port), url.pathname, throughputItems, 'closed');
    const acked = performance.now();
    await waitUntil(() => core.webhooks.backlog === 0, {
      timeoutMs: 120_000,
      intervalMs: 20,
      what: 'applying the throughput events',
    });
    const oursSeconds = (ours.elapsedMs + (performance.now() - acked)) / 1000;

    // 2. The same load against a bare server.
    const bare = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      });
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const barePort = (bare.address() as AddressInfo).port;
    const bareResult = await runLoad(barePort, url.pathname, throughputItems, 'closed');

    // 3. Latency at the offered load, then the same against the bare server (shows what the machine itself adds).
    const latencyItems = eventsFor(THROUGHPUT_CALLS, THROUGHPUT_CALLS + LATENCY_CALLS);
    const timed = await runLoad(Number(url.port), url.pathname, latencyItems, 'open');
    await waitUntil(() => core.webhooks.backlog === 0, {
      timeoutMs: 120_000,
      intervalMs: 20,
      what: 'applying the latency events',
    });
    const bareTimed = await runLoad(barePort, url.pathname, latencyItems, 'open');
    await new Promise<void>((r) => bare.close(() => r()));

    // Every event stored exactly once, applied exactly once, every request answered 200.
    const total = throughputItems.length + latencyItems.length;
    for (const [name, result] of [
      ['throughput', ours],
      ['latency', timed],
      ['bare', bareResult],
      ['bare latency', bareTimed],
    ] as const) {
      const expected = name.endsWith('latency') ? latencyItems.length : throughputItems.length;
      if (result.statuses['200'] !== expected) {
        throw new Error(
          `webhook bench: ${name} run answers ${JSON.stringify(result.statuses)}, expected ${expected} × 200`,
        );
      }
    }
    if (stored() !== total) throw new Error(`webhook bench: ${stored()} inbox rows for ${total} events`);
    const seen = new Set<string>();
    for (let after = 0; ;) {
      const rows = inbox.withState('processed', after, 1000);
      for (const row of rows) {
        after = row.id;
        const e = SimulatorEvent.parse(JSON.parse(row.body.toString('utf8')));
        seen.add(`${e.call_id}:${e.event_id}`);
      }
      if (rows.length < 1000) break;
    }
    if (seen.size !== total) throw new Error(`webhook bench: ${seen.size} distinct processed events for ${total} sent`);
    let applied = 0;
    for (const id of callIds) {
      const events = calls.events(id).filter((e) => e.kind.startsWith('call.'));
      if (events.some((e) => e.disposition === 'duplicate'))
        throw new Error(`webhook bench: call ${id} has a duplicate event`);
      applied += events.length;
      if (calls.getCall(id)?.status !== 'ended') throw new Error(`webhook bench: call ${id} did not end`);
    }
    if (applied !== total) throw new Error(`webhook bench: ${applied} call events recorded for ${total} sent`);

    const sorted = timed.latencies.filter((l) => l >= 0).sort((a, b) => a - b);
    const bareSorted = bareTimed.latencies.filter((l) => l >= 0).sort((a, b) => a - b);
    return {
      webhook_events_per_s: Math.round(throughputItems.length / oursSeconds),
      webhook_bare_events_per_s: Math.round(throughputItems.length / (bareResult.elapsedMs / 1000)),
      webhook_p50_ms: Number(percentile(sorted, 50).toFixed(2)),
      webhook_p99_ms: Number(percentile(sorted, 99).toFixed(2)),
      webhook_bare_p99_ms: Number(percentile(bareSorted, 99).toFixed(2)),
    };
  } finally {
    await core.cleanup();
  }
}
