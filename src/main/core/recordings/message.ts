import type { RecordingPayload } from './record';

// The Slack post in the support team's layout (support number, customer number, concern, agent with handle, department,
// timestamp, call metadata, full transcription with speaker labels, recording note), split so every message stays
// inside Slack's limits: text ≤ 40,000 characters, section text ≤ 3,000, ≤ 50 blocks per message.

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_SECTION = 3000;
export const SLACK_MAX_TEXT = 40_000;

export interface SlackTextObject {
  type: 'mrkdwn';
  text: string;
}
export type SlackBlock = { type: 'section'; text: SlackTextObject } | { type: 'context'; elements: SlackTextObject[] };
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface MessageInput {
  payload: RecordingPayload;
  direction: 'incoming' | 'outgoing';
  supportNumber: string;
  customerNumber: string;
  /** Speaker-labelled lines (speaker null when AssemblyAI returned no labels). */
  lines: { speaker: string | null; text: string }[];
  /** Overall sentiment of the transcript when the transcription service gave one; the layout says Neutral otherwise. */
  tone: string | null;
  /** Used when the record carries no timestamp. */
  receivedAt: number;
  /** Lines beyond the layout, off unless the user turns them on (Settings → Recordings). */
  extras?: { direction?: boolean };
}

/** Slack's three control characters; everything else in mrkdwn is literal enough. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const NOT_GIVEN = 'Not provided';
export const DEFAULT_TONE = 'Neutral';
const CODE_FENCE = '```';

export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function capitalise(s: string): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** Length of the call's opening words on the Concern line, as the team's layout shows them (about one sentence). */
const CONCERN_CHARS = 50;

/** "Call inquiry: <opening words of the call> ... (Tone: Neutral)": the recording's own words, not a rephrasing. */
export function concernOf(lines: { text: string }[], tone: string | null): string {
  const all = lines
    .map((l) => l.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  let opening = all;
  if (all.length > CONCERN_CHARS) {
    const cut = all.lastIndexOf(' ', CONCERN_CHARS);
    opening = `${all.slice(0, cut > CONCERN_CHARS / 2 ? cut : CONCERN_CHARS)} ...`;
  }
  return `Call inquiry: ${opening || '(no speech detected)'} (Tone: ${tone || DEFAULT_TONE})`;
}

/** A Slack user id (U…/W…) becomes a real mention; a typed handle ("@prateek.raj") is shown as written. */
function agentMention(handle: string | null, name: string | null): string {
  if (handle && /^[UW][A-Z0-9]{6,}$/.test(handle)) return `<@${handle}>`;
  return escapeSlack(handle ?? name ?? NOT_GIVEN);
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

export function headerText(input: MessageInput): string {
  const p = input.payload;
  const when = p.occurredAt ?? input.receivedAt;
  return [
    `📞 Support Number:\n${escapeSlack(input.supportNumber)}`,
    `📱 Candidate/Customer Number:\n${escapeSlack(input.customerNumber)}`,
    `❗ Concern:\n${escapeSlack(concernOf(input.lines, input.tone))}`,
    `👤 CS Agent:\n${agentMention(p.agentSlackHandle, p.agentName)} ${escapeSlack(`<${input.supportNumber}>`)}`,
    `🏢 Department:\n${escapeSlack(p.department ?? NOT_GIVEN)}`,
    `⏰ Timestamp:\n${formatUtc(when)}`,
  ].join('\n\n');
}

export function metadataText(input: MessageInput): string {
  const p = input.payload;
  return [
    '📋 Call Metadata:',
    `• Call ID: \`${p.callId.replace(/`/g, '')}\``,
    ...(input.extras?.direction ? [`• Direction: ${capitalise(input.direction)}`] : []),
    `• Duration: ${p.durationS !== null ? `${Math.round(p.durationS)}s` : NOT_GIVEN}`,
    `• Status: ${escapeSlack(capitalise(p.status ?? 'completed'))}`,
    `• Agent: ${escapeSlack(p.agentName ?? NOT_GIVEN)}`,
    `• Customer Segment: ${escapeSlack(p.customerSegment ?? NOT_GIVEN)}`,
  ].join('\n');
}

export const TRANSCRIPT_LABEL = '📝 Full Transcription:';
export const RECORDING_NOTE =
  '🎧 Recording/Voice Note:\nRecording processed and transcribed above (as per no-audio requirement)';

/** Cuts an escaped line into pieces of at most `max` characters, at spaces where possible, never inside an entity. */
function splitLong(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    const amp = rest.lastIndexOf('&', cut - 1);
    if (amp >= 0 && amp > cut - 5 && rest.indexOf(';', amp) >= cut) cut = amp;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  if (rest) out.push(rest);
  return out;
}

/** The transcript as code-block section texts, each within Slack's section limit. */
export function transcriptChunks(lines: { speaker: string | null; text: string }[]): string[] {
  // Room for the fences, and for the label the first chunk carries above its fence.
  const room = SLACK_MAX_SECTION - (CODE_FENCE.length + 1) * 2 - (TRANSCRIPT_LABEL.length + 1);
  const escaped = lines
    .map((l) => escapeSlack(`${l.speaker ? `Speaker ${l.speaker}: ` : ''}${l.text}`.replace(/```/g, "'''")))
    .flatMap((l) => splitLong(l, room));
  if (escaped.length === 0) escaped.push('(no speech detected)');
  const chunks: string[] = [];
  let current = '';
  for (const line of escaped) {
    if (current && current.length + 1 + line.length > room) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) chunks.push(current);
  return chunks.map((c) => `${CODE_FENCE}\n${c}\n${CODE_FENCE}`);
}

/** One message when it fits, else several: the first carries the header, later ones say which part they are. */
export function buildSlackMessages(input: MessageInput): SlackMessage[] {
  const p = input.payload;
  const first: SlackBlock[] = [section(headerText(input)), section(metadataText(input))];
  const pages: SlackBlock[][] = [first];
  // Later pages open with a context line naming the part; it is filled in once the number of parts is known.
  const partLabels: SlackTextObject[] = [];
  // The label sits right above the code block, as in the layout.
  const chunks = transcriptChunks(input.lines).map((c, i) => (i === 0 ? `${TRANSCRIPT_LABEL}\n${c}` : c));
  const body = [...chunks.map(section), section(RECORDING_NOTE)];
  for (const block of body) {
    let page = pages[pages.length - 1];
    if (page.length >= SLACK_MAX_BLOCKS) {
      const label: SlackTextObject = { type: 'mrkdwn', text: '' };
      partLabels.push(label);
      page = [{ type: 'context', elements: [label] }];
      pages.push(page);
    }
    page.push(block);
  }
  const total = pages.length;
  const id = p.callId.replace(/`/g, '');
  partLabels.forEach((label, i) => {
    label.text = `Call \`${id}\`: transcription continued (part ${i + 2} of ${total})`;
  });
  const summary = `📞 ${capitalise(input.direction)} call ${input.customerNumber} with ${p.agentName ?? p.agentSlackHandle ?? 'an agent'}${
    p.department ? ` (${p.department})` : ''
  }`;
  return pages.map((blocks, i) => ({
    text: (i === 0
      ? total > 1
        ? `${summary} (part 1 of ${total})`
        : summary
      : `Call ${id}: transcription continued (part ${i + 1} of ${total})`
    ).slice(0, SLACK_MAX_TEXT),
    blocks,
  }));
}
