import type { ExtraHook } from '../webhooks/listener';
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
