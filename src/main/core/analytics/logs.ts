import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, type LogEntry } from '@shared/contract/analytics';
import { redact } from '../redact';
import type { LogLevel } from '../platform';
import type { Db } from '../store/db';
import { LogsRepository } from '../store/repositories/logs';

export interface LogsQuery {
  minLevel: LogLevel;
  campaignId: number | null;
  callId: number | null;
  scope: string | null;
  sources: ('db' | 'file')[];
  limit: number;
}

/** Only the newest part of each rotated file is read: the view shows the latest lines, never megabytes. */
const TAIL_BYTES = 1024 * 1024;
/** A file line and an activity_log row this close in time, with the same scope, campaign and text, are one event. */
const SAME_EVENT_MS = 2000;

/** One line of createFileLogger's JSON-lines files; extra fields are the log call's own. */
const FileLine = z
  .object({ at: z.string(), level: z.enum(LOG_LEVELS), scope: z.string(), message: z.string() })
  .catchall(z.unknown());

const optionalId = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/** What the dialer, the webhook server, the tunnel and the sources did: activity_log plus the rotating log files. */
export class LogsReader {
  private readonly repo: LogsRepository;
  constructor(
    db: Db,
    private readonly logDir: string,
    /** Values of the stored secrets, redacted wherever they appear. */
    private readonly secretValues: (names: string[]) => string[],
  ) {
    this.repo = new LogsRepository(db);
  }

  list(q: LogsQuery): { entries: LogEntry[]; scopes: string[] } {
    const levels = LOG_LEVELS.slice(LOG_LEVELS.indexOf(q.minLevel));
    const entries: LogEntry[] = [];
    const scopes = new Set<string>(this.repo.scopes());
    if (q.sources.includes('db')) {
      for (const e of this.repo.list({
        levels: JSON.stringify(levels),
        campaignId: q.campaignId,
        callId: q.callId,
        scope: q.scope,
        limit: q.limit,
      })) {
        entries.push({ source: 'db', ...e });
      }
    }
    if (q.sources.includes('file')) {
      // Services that write activity_log usually log the same line to the file too: show it once.
      const seen = new Map<string, number[]>();
      for (const e of entries) {
        const key = `${e.scope}|${e.campaignId}|${e.message}`;
        seen.set(key, [...(seen.get(key) ?? []), e.at]);
      }
      for (const { entry: e, base } of this.fileEntries()) {
        scopes.add(e.scope);
        if (seen.get(`${e.scope}|${e.campaignId}|${base}`)?.some((at) => Math.abs(at - e.at) <= SAME_EVENT_MS))
          continue;
        if (!levels.includes(e.level)) continue;
        if (q.campaignId !== null && e.campaignId !== q.campaignId) continue;
        if (q.callId !== null && e.callId !== q.callId) continue;
        if (q.scope !== null && e.scope !== q.scope) continue;
        entries.push(e);
      }
    }
    const secrets = this.secretValues(this.repo.secretNames());
    entries.sort((a, b) => b.at - a.at);
    return {
      entries: entries.slice(0, q.limit).map((e) => ({ ...e, message: redact(e.message, secrets) })),
      scopes: [...scopes].sort(),
    };
  }

  /** console.log, console.1.log … (newest file first), each line parsed; lines that are not the logger's are skipped. */
  private fileEntries(): { entry: LogEntry; base: string }[] {
    if (!existsSync(this.logDir)) return [];
    const files = readdirSync(this.logDir)
      .filter((f) => /^console(\.\d+)?\.log$/.test(f))
      .sort((a, b) => rotation(a) - rotation(b));
    const out: { entry: LogEntry; base: string }[] = [];
    for (const f of files) {
      for (const line of tailLines(join(this.logDir, f))) {
        let parsed: z.infer<typeof FileLine>;
        try {
          const r = FileLine.safeParse(JSON.parse(line));
          if (!r.success) continue;
          parsed = r.data;
        } catch {
          continue;
        }
        const { at, level, scope, message, campaignId, callId, ...fields } = parsed;
        const time = Date.parse(at);
        if (Number.isNaN(time)) continue;
        const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
        out.push({
          entry: {
            source: 'file',
            at: time,
            level,
            scope,
            campaignId: optionalId(campaignId),
            callId: optionalId(callId),
            message: message + extra,
          },
          base: message,
        });
      }
    }
    return out;
  }
}

const rotation = (name: string) => Number(/\.(\d+)\.log$/.exec(name)?.[1] ?? 0);

function tailLines(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    // The first line of a tail may be cut in the middle.
    if (start > 0) lines.shift();
    return lines.filter((l) => l.trim() !== '');
  } finally {
    closeSync(fd);
  }
}
