import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderSettings } from '../../src/shared/contract/providers';
import { openDatabase, schemaVersion } from '../../src/main/core/store/db';
import { MIGRATIONS } from '../../src/main/core/store/migrations';
import { tempDir } from '../support/core';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

describe('migration 5: provider settings name the voice agent voiceAgentId', () => {
  it('moves each stored agent id to the new key and leaves the rest of the settings alone, on a real file', () => {
    const { dir, cleanup } = tempDir('console-migrate-voice-agent-');
    dirs.push(cleanup);
    const file = join(dir, 'console.db');
    const before = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 4) });
    expect(schemaVersion(before)).toBe(4);
    const stored = {
      bolna: { agentId: 'bolna-agent-7', fromNumber: '+918035739222' },
      bolna_twilio: {
        agentServerUrl: 'http://localhost:5001',
        telephonyUrl: 'http://localhost:8001',
        agentId: 'oss-1',
      },
      retell: { fromNumber: '+14157774444' },
      exotel: { region: 'in', accountSid: 'acme1' },
    };
    const set = before.prepare('INSERT INTO settings (key, value_json) VALUES (?, ?)');
    set.run('providers', JSON.stringify(stored));
    set.run('webhookPort', '8787');
    before.close();

    const after = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version <= 5) });
    expect(schemaVersion(after)).toBe(5);
    const read = (key: string) =>
      JSON.parse(
        after.prepare<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?').get(key)
          ?.value_json ?? 'null',
      ) as unknown;
    const providers = read('providers');
    expect(providers).toEqual({
      bolna: { voiceAgentId: 'bolna-agent-7', fromNumber: '+918035739222' },
      bolna_twilio: {
        agentServerUrl: 'http://localhost:5001',
        telephonyUrl: 'http://localhost:8001',
        voiceAgentId: 'oss-1',
      },
      retell: { fromNumber: '+14157774444' },
      exotel: { region: 'in', accountSid: 'acme1' },
    });
    // What the console reads back is the same agent, under the new name.
    const parsed = ProviderSettings.parse(providers);
    expect([parsed.bolna.voiceAgentId, parsed.bolna_twilio.voiceAgentId, parsed.retell.voiceAgentId]).toEqual([
      'bolna-agent-7',
      'oss-1',
      undefined,
    ]);
    expect(read('webhookPort')).toBe(8787);
    after.close();
  });
});
