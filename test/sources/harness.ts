import { generateKeyPairSync } from 'node:crypto';
import { createCore, type Core } from '../../src/main/create-core';
import { nodePlatform } from '../../src/main/core/node-platform';
import { contract, type ApiInput, type ApiOutput, type MethodName } from '../../src/shared/contract';
import type { Call } from '../../src/shared/domain';
import { ManualClock } from '../support/clock';
import { tempDir } from '../support/core';
import { FakeGoogle, type Cell } from '../fakes/google-sheets';

export const SA_EMAIL = 'dialer@callconsole-test.iam.gserviceaccount.com';
export const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEF';
export const SEED_HEADER: Cell[] = [
  'Name',
  'Phone Number',
  'Status',
  'Latest Execution ID',
  'Duration',
  'Last Attempt Time',
  'Notes',
  'Transcript',
  'Summary',
];

let keys: { publicKey: string; privateKey: string } | null = null;
/** A service-account key pair made for the test run (never a real key). */
export function serviceAccountKey(): { json: string; publicKey: string } {
  keys ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const json = JSON.stringify({
    type: 'service_account',
    project_id: 'callconsole-test',
    private_key_id: 'test-key-1',
    private_key: keys.privateKey,
    client_email: SA_EMAIL,
    client_id: '1234567890',
    // Ignored by the auth library: the console's injected token URL is what sends the grant to the fake.
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  return { json, publicKey: keys.publicKey };
}

export interface Harness {
  fake: FakeGoogle;
  clock: ManualClock;
  dataDir: string;
  core: Core;
  /** Closes the core and opens a new one on the same data folder (a restart). */
  restart(): Promise<Core>;
  /** Moves the clock and waits for the reads and writes it started. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const fake = new FakeGoogle();
  await fake.start();
  fake.addServiceAccount(SA_EMAIL, serviceAccountKey().publicKey);
  const clock = new ManualClock();
  const { dir, cleanup } = tempDir('sources-test-');
  const open = () =>
    createCore({
      dataDir: dir,
      platform: nodePlatform(dir, { clock }),
      host: 'cli',
      google: { rootUrl: fake.rootUrl, tokenUrl: fake.tokenUrl },
    });
  const h: Harness = {
    fake,
    clock,
    dataDir: dir,
    core: open(),
    async restart() {
      await h.core.close();
      h.core = open();
      return h.core;
    },
    async advance(ms) {
      clock.advance(ms);
      // A flush can schedule the next one at delay 0; let those run too.
      for (let i = 0; i < 5; i++) {
        await h.core.sources.idle();
        await new Promise((r) => setImmediate(r));
        clock.advance(0);
      }
      await h.core.sources.idle();
    },
    async close() {
      await h.core.close().catch(() => undefined);
      await fake.stop();
      cleanup();
    },
  };
  return h;
}

export function seedSheet(
  fake: FakeGoogle,
  rows: Cell[][],
  tab: { title?: string; columnCount?: number; header?: Cell[] } = {},
) {
  return fake.addSpreadsheet({
    spreadsheetId: SHEET_ID,
    title: 'Customer calls',
    tabs: [
      { sheetId: 0, title: 'Archive', rows: [['nothing here']] },
      {
        sheetId: 1834201,
        title: tab.title ?? 'Leads',
        rows: [tab.header ?? SEED_HEADER, ...rows],
        columnCount: tab.columnCount ?? 26,
      },
    ],
  });
}

export const SHEET_URL = `https://docs.google.com/spreadsheets/d/${SHEET_ID}/edit#gid=1834201`;

export interface ContactRow {
  id: number;
  name: string;
  phone: string | null;
  phone_raw: string;
  source_row: number | null;
  source_key: string;
  callable: number;
  not_callable_reason: string | null;
  variables_json: string;
}

export function contacts(core: Core, listId: number): ContactRow[] {
  return core.db
    .prepare<[number], ContactRow>(
      'SELECT id, name, phone, phone_raw, source_row, source_key, callable, not_callable_reason, variables_json FROM contacts WHERE list_id = ? ORDER BY id',
    )
    .all(listId);
}

/** A campaign's queue: each contact's name and queue state, in contact order. */
export function campaignQueue(core: Core, campaignId: number): { name: string; state: string }[] {
  return core.db
    .prepare<[number], { name: string; state: string }>(
      'SELECT c.name, cc.state FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id WHERE cc.campaign_id = ? ORDER BY c.id',
    )
    .all(campaignId);
}

/** A calls row as the call engine writes it (transcript turns hang off it). */
export function insertCall(
  core: Core,
  id: number,
  contactId: number,
  phone: string,
  turns: { speaker: string; text: string }[] = [],
): void {
  core.db
    .prepare(
      "INSERT INTO calls (id, contact_id, phone, idempotency_key, provider, status, created_at) VALUES (?, ?, ?, ?, 'bolna', 'ended', ?)",
    )
    .run(id, contactId, phone, `test-${id}`, Date.UTC(2026, 4, 19, 6, 0, 0));
  const stmt = core.db.prepare('INSERT INTO transcript_turns (call_id, seq, speaker, text) VALUES (?, ?, ?, ?)');
  turns.forEach((t, i) => stmt.run(id, i, t.speaker, t.text));
}

export function call(overrides: Partial<Call> & Pick<Call, 'id' | 'contactId' | 'phone'>): Call {
  return {
    campaignId: null,
    contactName: null,
    attempt: 1,
    provider: 'bolna',
    providerCallId: null,
    status: 'dialing',
    result: null,
    outcome: null,
    createdAt: Date.UTC(2026, 4, 19, 6, 0, 0),
    startedAt: null,
    answeredAt: null,
    endedAt: null,
    durationS: null,
    cost: null,
    hangupReason: null,
    language: null,
    recordingUrl: null,
    summary: null,
    sentiment: null,
    extracted: null,
    error: null,
    ...overrides,
  };
}

/** Calls the core's API the way the bindings do: input parsed against the contract first (defaults applied). */
export async function invoke<K extends MethodName>(core: Core, name: K, input: ApiInput<K>): Promise<ApiOutput<K>> {
  const handler = core.api[name] as (input: unknown) => Promise<ApiOutput<K>> | ApiOutput<K>;
  return handler(contract[name].input.parse(input));
}
