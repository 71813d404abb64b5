import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from '../../src/main/core/store/db';
import { MIGRATIONS } from '../../src/main/core/store/migrations';
import { createTestCore, tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

// Transcripts with matras, viramas and conjuncts: हिन्दी (न्द), शर्मा (र्म), வணக்கம் (க்க), অর্ডার (র্ড).
const DOCUMENTS = [
  { transcript: 'नमस्ते शर्मा जी, आपका ऑर्डर कल पहुँचेगा। क्या आप हिन्दी में बात करेंगे?', summary: 'डिलीवरी की पुष्टि' },
  { transcript: 'इसमें शर्म की कोई बात नहीं है।', summary: '' },
  { transcript: 'வணக்கம், உங்கள் ஆர்டர் நாளை வரும். நன்றி.', summary: 'டெலிவரி உறுதி' },
  { transcript: 'নমস্কার, আপনার অর্ডার কাল পৌঁছাবে। ধন্যবাদ।', summary: 'ডেলিভারি নিশ্চিত' },
  { transcript: 'Hello, your order will arrive tomorrow. Café near the station.', summary: 'confirmed' },
];

function matches(db: Db, query: string): number[] {
  return db
    .prepare<[string], { rowid: number }>('SELECT rowid FROM call_search WHERE call_search MATCH ? ORDER BY rowid')
    .all(query)
    .map((r) => r.rowid);
}

describe('migration 6: the transcript index keeps Indic vowel signs and viramas inside words', () => {
  it('rebuilds a populated index from a real file at schema 5, keeping every document under its call id', () => {
    const { dir, cleanup } = tempDir('console-migrate-fts-');
    dirs.push(cleanup);
    const file = join(dir, 'console.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 5) });
    const insert = before.prepare('INSERT INTO call_search (rowid, transcript, summary) VALUES (?, ?, ?)');
    DOCUMENTS.forEach((d, i) => insert.run((i + 1) * 10, d.transcript, d.summary));
    // The old tokenizer split शर्मा into श, र, म: the name matched the word for shame, and हिन्दी matched न्द alone.
    expect(matches(before, '"शर्मा"')).toEqual([10, 20]);
    before.close();

    const after = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 6) });
    expect(schemaVersion(after)).toBe(6);
    const kept = after
      .prepare<[], { rowid: number; transcript: string; summary: string }>(
        'SELECT rowid, transcript, summary FROM call_search ORDER BY rowid',
      )
      .all();
    expect(kept).toEqual(DOCUMENTS.map((d, i) => ({ rowid: (i + 1) * 10, ...d })));
    expect(matches(after, '"शर्मा"')).toEqual([10]);
    expect(matches(after, '"शर्म"')).toEqual([20]);
    expect(matches(after, '"हिन्दी"')).toEqual([10]);
    expect(matches(after, '"न"')).toEqual([]);
    expect(matches(after, '"வணக்கம்"')).toEqual([30]);
    expect(matches(after, '"অর্ডার"')).toEqual([40]);
    // Latin text is tokenised as before: diacritics still removed.
    expect(matches(after, '"cafe"')).toEqual([50]);
    // The rebuilt table is written like the old one.
    after.prepare('INSERT INTO call_search (rowid, transcript, summary) VALUES (60, ?, ?)').run('फिर मिलेंगे', '');
    expect(matches(after, '"मिलेंगे"')).toEqual([60]);
    after.close();
  });
});

describe('transcript search in Hindi, Tamil and Bengali', () => {
  it('finds phrases and words with matras and conjuncts through the search API, and nothing that only shares letters', async () => {
    const core = createTestCore();
    try {
      const addCall = core.db.prepare(
        `INSERT INTO calls (id, phone, idempotency_key, provider, status, result, created_at, ended_at, summary)
         VALUES (?, ?, ?, 'simulator', 'ended', 'completed', 0, ?, ?)`,
      );
      const addDoc = core.db.prepare('INSERT INTO call_search (rowid, transcript, summary) VALUES (?, ?, ?)');
      DOCUMENTS.forEach((d, i) => {
        addCall.run(i + 1, `+91981234000${i}`, `k${i}`, i, d.summary);
        addDoc.run(i + 1, d.transcript, d.summary);
      });
      const search = async (query: string) =>
        (await core.api['transcripts.search']({ query, limit: 50 })).map((h) => h.callId).sort();

      expect(await search('"आपका ऑर्डर कल"')).toEqual([1]);
      expect(await search('हिन्दी में')).toEqual([1]);
      expect(await search('"शर्मा"')).toEqual([1]);
      expect(await search('"शर्म"')).toEqual([2]);
      // Typed without quotes the last word is a prefix, as in English: शर्म finds both.
      expect(await search('शर्म')).toEqual([1, 2]);
      expect(await search('வணக்கம்')).toEqual([3]);
      expect(await search('"உங்கள் ஆர்டர்"')).toEqual([3]);
      expect(await search('"আপনার অর্ডার"')).toEqual([4]);
      expect(await search('ধন্যবাদ')).toEqual([4]);
      // A bare consonant is not a word of any of these transcripts.
      expect(await search('"र"')).toEqual([]);
      const [hit] = await core.api['transcripts.search']({ query: 'வணக்கம்', limit: 5 });
      expect(hit.snippet).toContain('[[வணக்கம்]]');
    } finally {
      await core.cleanup();
    }
  });
});
