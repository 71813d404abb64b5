import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileLogger } from '../../src/main/core/node-platform';
import { redactUrlCredentials } from '../../src/main/core/redact';
import { tempDir } from '../support/core';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe('redaction of URL credentials', () => {
  it('takes the user name and password out of every URL and leaves other addresses alone', () => {
    expect(redactUrlCredentials('GET http://key:tok%40en@rec.example/a.mp3 failed')).toBe(
      'GET http://[redacted]@rec.example/a.mp3 failed',
    );
    expect(redactUrlCredentials('"https://only-a-token@host/x" and ftp://u:p@h')).toBe(
      '"https://[redacted]@host/x" and ftp://[redacted]@h',
    );
    expect(redactUrlCredentials('https://host/x?email=a@b.example mail a@b.example')).toBe(
      'https://host/x?email=a@b.example mail a@b.example',
    );
  });

  it('is applied to every line the file logger writes and echoes', () => {
    const { dir, cleanup } = tempDir('redact-');
    cleanups.push(cleanup);
    const echoed: string[] = [];
    const logger = createFileLogger({ dir, echo: (line) => echoed.push(line) });
    logger.log('error', 'recordings', 'Download of https://apikey-77:apitoken-88@rec.example/1.mp3 failed', {
      url: 'http://apikey-77:apitoken-88@rec.example/2.mp3',
    });
    const written = readFileSync(join(dir, 'console.log'), 'utf8') + echoed.join('\n');
    expect(written).toContain('https://[redacted]@rec.example/1.mp3');
    expect(written).not.toMatch(/apikey-77|apitoken-88/);
  });
});
