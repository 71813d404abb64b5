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

/**
 * The support team's Slack post, as their layout shows it (values from its example). The transcription line stands
 * for the speaker-labelled transcript.
 */
const TEAM_LAYOUT = `📞 Support Number:
09631084471

📱 Candidate/Customer Number:
09631084471

❗ Concern:
Call inquiry: Person you are speaking with has put your call on ... (Tone: Neutral)

👤 CS Agent:
@prateek.raj <09631084471>

🏢 Department:
Customer Success

⏰ Timestamp:
2025-10-04 17:58:27 UTC

📋 Call Metadata:
• Call ID: \`86d8a88279e4f1ad7417e6556c3e1984\`
• Duration: 56s
• Status: Completed
• Agent: Prateek Raj
• Customer Segment: General

📝 Full Transcription:
\`\`\`
[Complete transcription with speaker labels]
\`\`\`

🎧 Recording/Voice Note:
Recording processed and transcribed above (as per no-audio requirement)`;

/** What a reader sees in the channel: the sections one under another, Slack's entities shown as characters. */
function asSeen(message: { blocks: { type: string; text?: { text: string } }[] }): string[] {
  return message.blocks
    .flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []))
    .join('\n\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .split('\n');
}

const SEED_CALL = {
  call_id: '86d8a88279e4f1ad7417e6556c3e1984',
  from_number: '09631084471',
  to_number: '09631084471',
  duration: 56,
  timestamp: '2025-10-04T17:58:27Z',
};
const SEED_LINES = [
  { speaker: 'A', text: 'Person you are speaking with has put your call on hold.' },
  { speaker: 'B', text: 'Hello, I wanted to ask about <my refund> & the invoice.' },
];

describe('Slack message in the support team layout', () => {
  it('is the team layout line by line: labels, order, Concern with its tone, no extra lines', () => {
    const [message, ...more] = buildSlackMessages(input(SEED_CALL, SEED_LINES));
    expect(more).toHaveLength(0);
    const expected = TEAM_LAYOUT.split('\n');
    const placeholder = expected.indexOf('[Complete transcription with speaker labels]');
    expected.splice(
      placeholder,
      1,
      'Speaker A: Person you are speaking with has put your call on hold.',
      'Speaker B: Hello, I wanted to ask about <my refund> & the invoice.',
    );
    const seen = asSeen(message);
    for (let i = 0; i < Math.max(seen.length, expected.length); i++) expect(seen[i], `line ${i + 1}`).toBe(expected[i]);
    expect(message.text).toBe('📞 Outgoing call 09631084471 with Prateek Raj (Customer Success)');
  });

  it('says Neutral when the transcription gave no sentiment, and the tone it gave otherwise', () => {
    const concern = (tone: string | null) =>
      asSeen(buildSlackMessages({ ...input(SEED_CALL, SEED_LINES), tone })[0]).find((l) =>
        l.startsWith('Call inquiry'),
      );
    expect(concern(null)).toMatch(/ \(Tone: Neutral\)$/);
    expect(concern('Negative')).toMatch(/ \(Tone: Negative\)$/);
  });

  it('adds the Direction line only when it is turned on, right under the call id', () => {
    const plain = asSeen(buildSlackMessages(input(SEED_CALL, SEED_LINES))[0]);
    expect(plain.some((l) => l.startsWith('• Direction'))).toBe(false);
    const withDirection = asSeen(buildSlackMessages({ ...input({}, SEED_LINES), extras: { direction: true } })[0]);
    const id = withDirection.findIndex((l) => l.startsWith('• Call ID'));
    expect(withDirection[id + 1]).toBe('• Direction: Incoming');
    expect(withDirection.length).toBe(plain.length + 1);
  });

  it('escapes Slack control characters in every value', () => {
    const [message] = buildSlackMessages(input({ department: 'R&D <core>' }, SEED_LINES));
    const raw = message.blocks.map((b) => (b.type === 'section' ? b.text.text : '')).join('\n');
    expect(raw).toContain('R&amp;D &lt;core&gt;');
    expect(raw).toContain('Speaker B: Hello, I wanted to ask about &lt;my refund&gt; &amp; the invoice.');
    expect(raw).toContain('@prateek.raj &lt;09631084471&gt;');
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
