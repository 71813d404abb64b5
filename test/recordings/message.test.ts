import { describe, expect, it } from 'vitest';
import { buildSlackMessages, transcriptChunks, type MessageInput } from '../../src/main/core/recordings/message';
import { callDirection, payloadFromZapier, sameNumber, ZapierCallRecord } from '../../src/main/core/recordings/record';
import { seedRecord } from './harness';

const SUPPORT = '09631084471';

function input(
  overrides: Record<string, unknown> = {},
  lines = [
    { speaker: 'A', text: 'Person you are speaking with has put your call on hold. Please stay on the line.' },
    { speaker: 'B', text: 'Hello, I wanted to ask about <my refund> & the invoice.' },
  ],
): MessageInput {
  const payload = payloadFromZapier(ZapierCallRecord.parse(seedRecord(overrides)));
  return {
    payload,
    ...callDirection(payload, SUPPORT),
    lines,
    tone: 'Neutral',
    receivedAt: Date.UTC(2025, 9, 9, 18, 0, 0),
  };
}

describe('Slack message in the support team layout', () => {
  it('renders every field of the layout, in its order, with Slack escaping', () => {
    const [message, ...more] = buildSlackMessages(input({ duration: 56, call_id: '86d8a88279e4f1ad7417e6556c3e1984' }));
    expect(more).toHaveLength(0);
    const rendered = message.blocks.map((b) => (b.type === 'section' ? b.text.text : '')).join('\n\n');
    expect(rendered).toBe(
      [
        '📞 *Support Number:*',
        '09631084471',
        '',
        '📱 *Candidate/Customer Number:*',
        '+919876543210',
        '',
        '❗ *Concern:*',
        'Call inquiry: Person you are speaking with has put your call on hold. Please stay on the line. Hello, I wanted to ... (Tone: Neutral)',
        '',
        '👤 *CS Agent:*',
        '@prateek.raj &lt;09631084471&gt;',
        '',
        '🏢 *Department:*',
        'Customer Success',
        '',
        '⏰ *Timestamp:*',
        '2025-10-09 17:58:27 UTC',
        '',
        '📋 *Call Metadata:*',
        '• Call ID: `86d8a88279e4f1ad7417e6556c3e1984`',
        '• Direction: Incoming',
        '• Duration: 56s',
        '• Status: Completed',
        '• Agent: Prateek Raj',
        '• Customer Segment: General',
        '',
        '📝 *Full Transcription:*',
        '',
        '```',
        'Speaker A: Person you are speaking with has put your call on hold. Please stay on the line.',
        'Speaker B: Hello, I wanted to ask about &lt;my refund&gt; &amp; the invoice.',
        '```',
        '',
        '🎧 *Recording/Voice Note:*',
        'Recording processed and transcribed above (as per no-audio requirement)',
      ].join('\n'),
    );
    expect(message.text).toBe('📞 Incoming call +919876543210 with Prateek Raj (Customer Success)');
  });

  it('takes the direction from the support number however it is written', () => {
    const outgoing = input({ from_number: '+91 96310 84471', to_number: '+919876543210' });
    expect(outgoing.direction).toBe('outgoing');
    expect(outgoing.customerNumber).toBe('+919876543210');
    expect(outgoing.supportNumber).toBe('+91 96310 84471');
    expect(input().direction).toBe('incoming');
    expect(sameNumber('09631084471', '+919631084471')).toBe(true);
    expect(sameNumber('09631084471', '+919631084472')).toBe(false);
    expect(sameNumber('', '')).toBe(false);
  });

  it('splits long lines and transcripts within Slack limits without breaking an escaped character', () => {
    const long = `${'word '.repeat(700)}${'&'.repeat(900)}`;
    const chunks = transcriptChunks([{ speaker: 'A', text: long }]);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(3000);
      expect(c.slice(4, -4)).not.toMatch(/&(?!amp;)/);
    }
    const many = buildSlackMessages(
      input(
        {},
        Array.from({ length: 3000 }, (_, i) => ({ speaker: 'A', text: `line ${i} ${'x'.repeat(80)}` })),
      ),
    );
    expect(many.length).toBeGreaterThan(1);
    for (const m of many) expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(many[1].text).toContain(`part 2 of ${many.length}`);
  });

  it('accepts Zapier’s quoted numbers and Exotel’s time format, and names every bad field', () => {
    const parsed = ZapierCallRecord.parse(
      seedRecord({ duration: '125', call_id: 42, timestamp: '2025-10-09 17:58:27', agent_name: '' }),
    );
    const payload = payloadFromZapier(parsed);
    expect(payload).toMatchObject({
      callId: '42',
      durationS: 125,
      occurredAt: Date.UTC(2025, 9, 9, 17, 58, 27),
      agentName: null,
    });
    const bad = ZapierCallRecord.safeParse(seedRecord({ timestamp: 'yesterday', recording_url: 'ftp://x/y.mp3' }));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['timestamp', 'recording_url']));
  });
});
