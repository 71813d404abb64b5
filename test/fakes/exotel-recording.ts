import { LoopbackFake } from './recordings-loopback';

// Exotel's recording host: GET <recording url> behind HTTP Basic api_key:api_token, answering
// the MP3 bytes. `missingFor` makes the first downloads 404, as when Exotel has not published the file yet.

export class ExotelRecordingFake extends LoopbackFake {
  readonly audio = Buffer.from('ID3\u0004fake-mp3-frames-for-tests', 'latin1');
  missingFor = 0;

  constructor(
    readonly apiKey: string,
    readonly apiToken: string,
  ) {
    super((req) => {
      const expected = `Basic ${Buffer.from(`${this.apiKey}:${this.apiToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return { status: 401, body: 'Authentication required' };
      if (req.method !== 'GET' || !/^\/v1\/Accounts\/[^/]+\/Recordings\/[^/]+\.mp3$/.test(req.path))
        return { status: 404, body: 'Not found' };
      if (this.missingFor > 0) {
        this.missingFor -= 1;
        return { status: 404, body: 'Not found' };
      }
      return { status: 200, body: this.audio };
    });
  }

  recordingUrl(callSid: string): string {
    return `${this.baseUrl}/v1/Accounts/acme1/Recordings/${callSid}.mp3`;
  }
}
