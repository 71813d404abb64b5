import type { ExtraHook, MonitoringRoutes } from '../webhooks/listener';
import type { RecordingsService } from './service';

// POST /hooks/zapier/<secret>: the automation's call record, as JSON. The webhook server has already checked the
// path secret and the size limit; the record is validated and stored before the answer goes out.

const json = (status: number, body: unknown) => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json',
});

export function zapierHook(recordings: RecordingsService): ExtraHook {
  return {
    handle(request) {
      if (request.method !== 'POST')
        return json(405, { success: false, error: 'POST the call record as JSON to this address.' });
      let body: unknown;
      try {
        body = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return json(400, {
          success: false,
          error: 'The body is not valid JSON: send the call record as a JSON object (Content-Type: application/json).',
        });
      }
      const answer = recordings.receive(body);
      return json(answer.status, answer.body);
    },
  };
}

/** POST /hooks/assemblyai/<secret>: AssemblyAI's "transcript done" notice (a 4xx stops its retries). */
export function assemblyAiHook(recordings: RecordingsService): ExtraHook {
  return {
    handle(request) {
      if (request.method !== 'POST') return json(405, { error: 'POST only' });
      let body: unknown;
      try {
        body = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return json(400, { error: 'body is not JSON' });
      }
      const answer = recordings.transcriptReady(body);
      return json(answer.status, answer.body);
    },
  };
}

/** The seed's ISO form: seconds, no fraction ("2025-10-09T17:58:30Z"). */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * GET /hooks/monitor/<secret>/{health,stats,call/<call_id>}: the recordings pipeline's monitoring, in the shapes its
 * users' scripts already read (docs/architecture.md, Recordings monitoring). The listener adds its own section.
 */
export function recordingsMonitor(
  recordings: RecordingsService,
  deps: { now: () => number; databaseOk: () => boolean },
): MonitoringRoutes {
  const counts = () => {
    const s = recordings.stats();
    return { total_processed: s.processed, successfully_posted: s.posted, failed: s.failed };
  };
  return {
    health() {
      const database = deps.databaseOk();
      const view = recordings.settingsView();
      return {
        status: database ? 'healthy' : 'unhealthy',
        timestamp: isoSeconds(deps.now()),
        database: database ? 'connected' : 'disconnected',
        stats: database ? counts() : { total_processed: 0, successfully_posted: 0, failed: 0 },
        services: {
          transcription: view.assemblyaiKey.configured ? 'enabled' : 'disabled',
          slack: view.slackWebhook.configured ? 'enabled' : 'disabled',
        },
      };
    },
    stats() {
      const s = recordings.stats();
      return { ...counts(), pending: s.pending, duplicates: s.duplicates };
    },
    call(callId) {
      const found = recordings.byCallId(callId);
      if (!found) return null;
      const { job, payload, transcript } = found;
      return {
        call_id: payload.callId,
        from_number: payload.fromNumber,
        to_number: payload.toNumber,
        duration: payload.durationS === null ? null : Math.round(payload.durationS),
        timestamp: payload.occurredAt === null ? null : isoSeconds(payload.occurredAt),
        processed_at: isoSeconds(job.postedAt ?? job.updatedAt),
        transcription_text: transcript,
        slack_posted: job.state === 'posted',
        status: job.state === 'posted' ? 'completed' : job.state,
        error: job.error,
      };
    },
  };
}
