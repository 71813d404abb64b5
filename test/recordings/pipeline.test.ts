import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../src/shared/contract';
import { tempDir } from '../support/core';
import { advanceUntil, sleep } from '../support/wait';
import { AAI_KEY, call, Harness, seedRecord, SUPPORT_NUMBER, type TestCore } from './harness';

let h: Harness;
beforeEach(async () => {
  h = new Harness();
  await h.start();
});
afterEach(async () => {
  await h.stop();
});

function record(core: TestCore, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return seedRecord({
    recording_url: h.exotel.recordingUrl(String(overrides.call_id ?? 'CA1234567890abcdef')),
    ...overrides,
  });
}

function sectionTexts(message: { blocks: { text?: { text: string } }[] }): string[] {
  return message.blocks.flatMap((b) => (b.text ? [b.text.text] : []));
}

describe('recordings pipeline: Exotel recording → AssemblyAI → Slack', () => {
  it('downloads with the Exotel credentials, uploads, transcribes with speaker labels, stores a searchable call and posts once', async () => {
    const core = await h.core();
    const answer = core.recordings.receive(record(core));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      success: true,
      message: 'Call queued for processing',
      call_id: 'CA1234567890abcdef',
      duplicate: false,
    });

    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'posted');

    const download = h.exotel.requests.filter((r) => r.method === 'GET');
    expect(download).toHaveLength(1);
    expect(download[0].headers.authorization).toBe(`Basic ${Buffer.from('exo-key:exo-token-5678').toString('base64')}`);
    expect(h.ai.uploads).toHaveLength(1);
    expect(h.ai.uploads[0].equals(h.exotel.audio)).toBe(true);
    const submitted = JSON.parse(h.ai.submissions()[0].body.toString('utf8')) as Record<string, unknown>;
    expect(submitted).toMatchObject({ audio_url: 'https://cdn.assemblyai.test/upload/1', speaker_labels: true });
    expect(h.ai.requests.every((r) => r.headers.authorization === AAI_KEY)).toBe(true);

    expect(h.slack.channel).toHaveLength(1);
    const texts = sectionTexts(h.slack.channel[0]).join('\n');
    expect(texts).toContain(
      'Speaker A: Hi, this is Priya from Acme Clinic. Am I speaking with Asha?\nSpeaker B: Yes, speaking.',
    );

    // Stored with a calls row of its own, searchable through call_search like any other call.
    const job = (await call(core, 'recordings.list', { limit: 10 }))[0];
    expect(job).toMatchObject({
      state: 'posted',
      direction: 'incoming',
      customerNumber: '+919876543210',
      supportNumber: SUPPORT_NUMBER,
      slackPartsPosted: 1,
      slackPartsTotal: 1,
    });
    expect(job.callId).not.toBeNull();
    const hit = core.db
      .prepare<[string], { rowid: number }>('SELECT rowid FROM call_search WHERE call_search MATCH ?')
      .all('Priya');
    expect(hit.map((r) => r.rowid)).toEqual([job.callId]);
    const found = await call(core, 'transcripts.search', { query: 'Priya' });
    expect(found.map((f) => f.callId)).toEqual([job.callId]);
    const opened = await call(core, 'calls.get', { id: job.callId! });
    expect(opened.call).toMatchObject({
      provider: 'exotel',
      status: 'ended',
      result: 'completed',
      phone: '+919876543210',
      durationS: 125,
    });
    expect(opened.transcript.map((t) => t.speaker)).toEqual(['human_agent', 'customer']);
    const stored = core.db
      .prepare<[number], { provider: string; provider_call_id: string; status: string; phone: string }>(
        'SELECT * FROM calls WHERE id = ?',
      )
      .get(job.callId!);
    expect(stored).toMatchObject({
      provider: 'exotel',
      provider_call_id: 'CA1234567890abcdef',
      status: 'ended',
      phone: '+919876543210',
    });
    const turns = core.db
      .prepare<[number], { speaker: string; text: string }>(
        'SELECT speaker, text FROM transcript_turns WHERE call_id = ? ORDER BY seq',
      )
      .all(job.callId!);
    expect(turns).toEqual([
      { speaker: 'human_agent', text: 'Hi, this is Priya from Acme Clinic. Am I speaking with Asha?' },
      { speaker: 'customer', text: 'Yes, speaking.' },
    ]);
    expect(await call(core, 'recordings.stats', {})).toEqual({
      processed: 1,
      posted: 1,
      failed: 0,
      pending: 0,
      duplicates: 0,
    });
    const detail = await call(core, 'recordings.get', { id: job.id });
    expect(detail.transcript).toBe(
      'Speaker A: Hi, this is Priya from Acme Clinic. Am I speaking with Asha?\nSpeaker B: Yes, speaking.',
    );
  });

  it('ends the Concern line with the tone of AssemblyAI’s sentiment analysis, Neutral when it found none', async () => {
    const core = await h.core();
    h.ai.sentiments = [
      { text: 'Hi, this is Priya.', sentiment: 'NEUTRAL', speaker: 'A' },
      { text: 'My parcel is late again.', sentiment: 'NEGATIVE', speaker: 'B' },
      { text: 'This is not acceptable.', sentiment: 'NEGATIVE', speaker: 'B' },
    ];
    core.recordings.receive(record(core, { call_id: 'CA-tone-1' }));
    await h.until(core, () => h.state(core, 'CA-tone-1') === 'posted');
    const submitted = JSON.parse(h.ai.submissions()[0].body.toString('utf8')) as Record<string, unknown>;
    expect(submitted.sentiment_analysis).toBe(true);
    const concern = (i: number) =>
      sectionTexts(h.slack.channel[i])
        .join('\n')
        .split('\n')
        .find((l) => l.startsWith('Call inquiry:'));
    expect(concern(0)).toMatch(/ \(Tone: Negative\)$/);

    h.ai.sentiments = [];
    core.recordings.receive(record(core, { call_id: 'CA-tone-2' }));
    await h.until(core, () => h.state(core, 'CA-tone-2') === 'posted');
    expect(concern(1)).toMatch(/ \(Tone: Neutral\)$/);
  });

  it('acknowledges repeated deliveries of a call_id and posts it once (before, during and after processing)', async () => {
    const core = await h.core();
    const first = core.recordings.receive(record(core));
    const again = core.recordings.receive(record(core));
    expect(first.body.duplicate).toBe(false);
    expect(again).toMatchObject({ status: 200, body: { success: true, duplicate: true } });
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'transcribing');
    core.recordings.receive(record(core, { agent_name: 'Someone Else' }));
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'posted');
    core.recordings.receive(record(core));
    await h.until(core, () => true);

    expect(h.slack.channel).toHaveLength(1);
    expect(h.ai.submissions()).toHaveLength(1);
    expect(h.exotel.requests).toHaveLength(1);
    const stats = await call(core, 'recordings.stats', {});
    expect(stats).toEqual({ processed: 1, posted: 1, failed: 0, pending: 0, duplicates: 3 });
    expect((await call(core, 'recordings.list', { limit: 10 }))[0].deliveries).toBe(4);
  });

  it('shows a transcription error with its reason, and Retry transcribes again and posts once', async () => {
    const core = await h.core();
    const notices: string[] = [];
    core.bus.subscribe((e: AnyEvent) => {
      if (e.type === 'notice') notices.push(e.payload.message);
    });
    h.ai.failWith = 'Download error, unable to download https://cdn.assemblyai.test/upload/1';
    core.recordings.receive(record(core));
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'failed');

    const [failed] = await call(core, 'recordings.list', { state: ['failed'], limit: 10 });
    expect(failed.failedStep).toBe('transcribing');
    expect(failed.error).toContain('AssemblyAI could not transcribe the recording: Download error');
    expect(notices.some((n) => n.includes('CA1234567890abcdef') && n.includes('Download error'))).toBe(true);
    expect(h.slack.channel).toHaveLength(0);
    expect(await call(core, 'recordings.stats', {})).toMatchObject({ processed: 1, posted: 0, failed: 1 });

    await expect(call(core, 'recordings.retry', { id: failed.id + 100 })).rejects.toThrow(/not_found/);
    h.ai.failWith = null;
    const retried = await call(core, 'recordings.retry', { id: failed.id });
    expect(retried.state).toBe('queued');
    await expect(call(core, 'recordings.retry', { id: failed.id })).rejects.toThrow(/conflict/);
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'posted');
    expect(h.slack.channel).toHaveLength(1);
    expect(h.ai.submissions()).toHaveLength(2);
    expect(await call(core, 'recordings.stats', {})).toMatchObject({ processed: 1, posted: 1, failed: 0 });
  });

  it('retries a Slack 429 (and a 500) and ends with exactly one message in the channel', async () => {
    const core = await h.core();
    h.slack.script.push({ status: 429, body: 'rate_limited', retryAfter: '1' }, { status: 500, body: 'rollup_error' });
    core.recordings.receive(record(core));
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'posted');
    expect(h.slack.requests).toHaveLength(3);
    expect(h.slack.channel).toHaveLength(1);
    expect(await call(core, 'recordings.stats', {})).toMatchObject({ posted: 1, failed: 0 });
  });

  it('shows a permanent Slack error without losing the job; Retry after fixing it posts once', async () => {
    const core = await h.core();
    h.slack.script.push({ status: 404, body: 'no_service' });
    core.recordings.receive(record(core));
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'failed');
    const [failed] = await call(core, 'recordings.list', { limit: 10 });
    expect(failed.failedStep).toBe('posting');
    expect(failed.error).toMatch(
      /Slack refused the message \(HTTP 404 no_service\): the webhook was removed or revoked/,
    );
    expect(h.slack.requests).toHaveLength(1);
    await call(core, 'recordings.retry', { id: failed.id });
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'posted');
    expect(h.slack.channel).toHaveLength(1);
    expect(h.ai.submissions()).toHaveLength(1);
  });

  it('never re-sends a Slack post whose answer was lost: the job waits for the user', async () => {
    const core = await h.core();
    h.slack.script.push('drop');
    core.recordings.receive(record(core));
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'failed');
    await h.until(core, () => true);
    expect(h.slack.channel).toHaveLength(1);
    expect(h.slack.requests).toHaveLength(1);
    const [failed] = await call(core, 'recordings.list', { limit: 10 });
    expect(failed.error).toMatch(/may or may not be in the channel.*Retry sends that part again/);
  });

  it('resumes after a restart in the middle of transcription and posts once (no second upload or submission)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      h.ai.hold = true;
      const first = await h.core(dir);
      first.recordings.receive(record(first));
      await h.until(
        first,
        () => h.state(first, 'CA1234567890abcdef') === 'transcribing' && h.ai.requests.some((r) => r.method === 'GET'),
      );
      await h.closeCore(first, true);

      h.ai.hold = false;
      const second = await h.core(dir, false);
      await h.until(second, () => h.state(second, 'CA1234567890abcdef') === 'posted');
      expect(h.slack.channel).toHaveLength(1);
      expect(h.ai.uploads).toHaveLength(1);
      expect(h.ai.submissions()).toHaveLength(1);
      expect(await call(second, 'recordings.stats', {})).toMatchObject({ processed: 1, posted: 1 });
    } finally {
      await h.stop();
      cleanup();
    }
  });

  it('after a crash while a Slack part was in flight, the next start marks it in doubt instead of posting it again', async () => {
    const { dir, cleanup } = tempDir();
    try {
      h.slack.script.push('hold');
      const crashed = await h.core(dir);
      crashed.recordings.receive(record(crashed));
      // Not waiting for the worker to go idle: it is stuck on the Slack request, as a dying process would be.
      await advanceUntil(h.clock, () => h.slack.requests.length > 0, {
        stepMs: 30_000,
        settle: () => Promise.race([crashed.recordings.idle(), sleep(20)]),
        what: 'the Slack request',
      });
      expect(h.slack.requests).toHaveLength(1);
      // The first process is gone without a word (its request still hangs); a new one opens the same data folder.
      const next = await h.core(dir, false);
      await h.until(next, () => true);
      const [job] = await call(next, 'recordings.list', { limit: 10 });
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(
        /stopped while part 1 of 1 was being sent to Slack, so it may already be in the channel/,
      );
      expect(h.slack.requests).toHaveLength(1);
      // The user checked the channel and asks again: now it is sent (their call), once.
      await call(next, 'recordings.retry', { id: job.id });
      await h.until(next, () => h.state(next, 'CA1234567890abcdef') === 'posted');
      expect(h.slack.requests).toHaveLength(2);
    } finally {
      await h.stop();
      cleanup();
    }
  });

  it('rejects an invalid record with 400 naming each field, and stores nothing', async () => {
    const core = await h.core();
    const answer = core.recordings.receive({
      ...record(core),
      call_id: undefined,
      recording_url: 'not a url',
      duration: 'two minutes',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.success).toBe(false);
    expect(answer.body.error).toMatch(/call_id: is required/);
    expect(answer.body.error).toMatch(/recording_url: must be the full http\(s\) address of the recording/);
    expect(answer.body.error).toMatch(/duration: must be a number of seconds/);
    expect(core.recordings.receive('[]').status).toBe(400);
    expect(await call(core, 'recordings.stats', {})).toMatchObject({ processed: 0 });
  });

  it('posts a long transcript as several messages within Slack limits, in order, each once', async () => {
    const core = await h.core();
    const sentence = 'The order number is 4471 and the parcel left the warehouse on Monday & should arrive soon. ';
    h.ai.utterances = Array.from({ length: 1600 }, (_, i) => ({
      speaker: i % 2 ? 'B' : 'A',
      text: `${i}: ${sentence.repeat(1 + (i % 3))}`,
    }));
    core.recordings.receive(record(core));
    await h.until(core, () => h.state(core, 'CA1234567890abcdef') === 'posted');
    const messages = h.slack.channel;
    expect(messages.length).toBeGreaterThan(1);
    expect(h.slack.requests).toHaveLength(messages.length);
    for (const [i, m] of messages.entries()) {
      expect(m.blocks.length).toBeLessThanOrEqual(50);
      expect(m.text.length).toBeLessThanOrEqual(40_000);
      for (const t of sectionTexts(m)) expect(t.length).toBeLessThanOrEqual(3000);
      if (i > 0) expect(m.blocks[0].elements?.[0].text).toContain(`part ${i + 1} of ${messages.length}`);
    }
    const transcript = messages
      .flatMap(sectionTexts)
      .map((t) => t.replace(/^📝 Full Transcription:\n/, ''))
      .filter((t) => t.startsWith('```'))
      .map((t) => t.slice(4, -4))
      .join('\n');
    const lines = transcript.split('\n');
    expect(lines).toHaveLength(1600);
    expect(lines[1599]).toBe(
      `Speaker B: 1599: ${sentence
        .repeat(1 + (1599 % 3))
        .trim()
        .replace(/&/g, '&amp;')}`,
    );
    expect(sectionTexts(messages[messages.length - 1]).at(-1)).toContain('Recording/Voice Note');
  });

  it('transcribes the console’s own finished calls only when switched on, once per call, from a public URL as is', async () => {
    const core = await h.core();
    const callId = Number(
      core.db
        .prepare(
          `INSERT INTO calls (phone, idempotency_key, provider, provider_call_id, status, result, created_at, ended_at, duration_s, recording_url)
           VALUES ('+919812345678', 'k1', 'bolna', 'exec-1', 'ended', 'completed', 1, 2, 61, ?)`,
        )
        .run(`${h.exotel.baseUrl}/public/exec-1.mp3`).lastInsertRowid,
    );
    const ended = {
      id: callId,
      campaignId: null,
      contactId: null,
      contactName: 'Asha',
      phone: '+919812345678',
      attempt: 1,
      provider: 'bolna' as const,
      providerCallId: 'exec-1',
      status: 'ended' as const,
      result: 'completed' as const,
      outcome: null,
      createdAt: 1,
      startedAt: 1,
      answeredAt: 1,
      endedAt: h.clock.now(),
      durationS: 61,
      cost: null,
      hangupReason: null,
      language: null,
      recordingUrl: `https://recordings.example.org/exec-1.mp3`,
      summary: null,
      sentiment: null,
      extracted: null,
      error: null,
    };
    core.bus.publish('call.updated', ended);
    await h.until(core, () => true);
    expect(await call(core, 'recordings.stats', {})).toMatchObject({ processed: 0 });

    await call(core, 'recordings.settings.set', { processConsoleCalls: true });
    core.bus.publish('call.updated', ended);
    core.bus.publish('call.updated', ended);
    await h.until(core, () => h.state(core, `console:${callId}`) === 'posted');
    expect(h.ai.uploads).toHaveLength(0);
    expect(JSON.parse(h.ai.submissions()[0].body.toString('utf8'))).toMatchObject({
      audio_url: 'https://recordings.example.org/exec-1.mp3',
    });
    expect(h.slack.channel).toHaveLength(1);
    const [job] = await call(core, 'recordings.list', { limit: 10 });
    expect(job).toMatchObject({ source: 'console', direction: 'outgoing', callId, deliveries: 1 });
    const turns = core.db
      .prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM transcript_turns WHERE call_id = ?')
      .get(callId);
    expect(turns?.n).toBe(2);
  });

  it('keeps keys out of the settings view and shows the Exotel credentials only as configured', async () => {
    const core = await h.core();
    const view = await call(core, 'recordings.settings.get', {});
    expect(view.assemblyaiKey).toEqual({ configured: true, hint: '…1234' });
    expect(view.slackWebhook.configured).toBe(true);
    expect(view.exotelCredentials.configured).toBe(true);
    const serialised = JSON.stringify(view);
    for (const secret of [AAI_KEY, h.slack.webhookUrl, 'exo-token-5678']) expect(serialised).not.toContain(secret);
    await expect(call(core, 'recordings.settings.set', { exotelApiKey: 'only-one' })).rejects.toThrow(/together/);
    const cleared = await call(core, 'recordings.settings.set', { slackWebhookUrl: null });
    expect(cleared.slackWebhook).toEqual({ configured: false, hint: null });
  });
});
