import { Fragment, useEffect } from 'react';
import { callState, StateBadge } from '../calls/status';
import { formatDateTime, formatDuration, formatTime, humanize } from '../shell/format';
import { useTranscripts } from './store';

/** The core marks matches as [[word]]; render them as <mark> without ever using HTML from the data. */
export function Highlighted({ text }: { text: string }) {
  const parts = text.split(/\[\[|\]\]/);
  return (
    <>{parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : <Fragment key={i}>{part}</Fragment>))}</>
  );
}

const SPEAKERS: Record<string, string> = {
  agent: 'Agent',
  customer: 'Customer',
  human_agent: 'Human agent',
  system: 'System',
};

function CallDetail() {
  const detail = useTranscripts((s) => s.detail);
  const close = useTranscripts((s) => s.close);
  if (!detail) return null;
  const { call, transcript, events } = detail;
  return (
    <section className="call-detail" aria-label={`Call ${call.id} detail`}>
      <header>
        <h3>{call.contactName || call.phone}</h3>
        <StateBadge state={callState(call)} />
        <span>{call.outcome ? `Outcome: ${humanize(call.outcome)}` : 'No outcome'}</span>
        <button type="button" onClick={close} aria-label="Close call detail">
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>Number</dt>
        <dd>{call.phone}</dd>
        <dt>Attempt</dt>
        <dd>{call.attempt}</dd>
        <dt>Provider</dt>
        <dd>
          {humanize(call.provider)} {call.providerCallId ? `· ${call.providerCallId}` : ''}
        </dd>
        <dt>Started</dt>
        <dd>{formatDateTime(call.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatDateTime(call.endedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(call.durationS)}</dd>
        {call.hangupReason && (
          <>
            <dt>Hang-up</dt>
            <dd>{call.hangupReason}</dd>
          </>
        )}
        {call.error && (
          <>
            <dt>Error</dt>
            <dd>{call.error}</dd>
          </>
        )}
        {call.sentiment && (
          <>
            <dt>Sentiment</dt>
            <dd>{call.sentiment}</dd>
          </>
        )}
        {call.recordingUrl && (
          <>
            <dt>Recording</dt>
            <dd>
              <a href={call.recordingUrl} target="_blank" rel="noreferrer noopener">
                {call.recordingUrl}
              </a>
            </dd>
          </>
        )}
      </dl>
      <h4>Summary</h4>
      <p aria-label="Summary">{call.summary ?? <span className="muted">No summary.</span>}</p>
      {call.extracted && Object.keys(call.extracted).length > 0 && (
        <>
          <h4>Extracted</h4>
          <table className="kv" aria-label="Extracted fields">
            <tbody>
              {Object.entries(call.extracted).map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h4>Transcript</h4>
      <ol className="transcript" aria-label="Transcript">
        {transcript.length === 0 && <li className="muted">No transcript for this call.</li>}
        {transcript.map((t) => (
          <li key={t.seq} className={`turn turn-${t.speaker}`}>
            <span className="speaker">{SPEAKERS[t.speaker] ?? t.speaker}</span>
            {t.atMs !== null && <span className="muted">{formatDuration(t.atMs / 1000)}</span>}
            <span className="text">{t.text}</span>
          </li>
        ))}
      </ol>
      <details>
        <summary>Raw provider events ({events.length})</summary>
        <table className="events" aria-label="Raw provider events">
          <thead>
            <tr>
              <th>Received</th>
              <th>Kind</th>
              <th>Status</th>
              <th>Applied?</th>
              <th>Body</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{formatTime(e.receivedAt)}</td>
                <td>{e.kind}</td>
                <td>{e.status ?? '—'}</td>
                <td>{e.disposition}</td>
                <td>
                  <code>{e.raw.length > 400 ? `${e.raw.slice(0, 400)}…` : e.raw}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

export function TranscriptsView() {
  const query = useTranscripts((s) => s.query);
  const hits = useTranscripts((s) => s.hits);
  const searching = useTranscripts((s) => s.searching);
  const recent = useTranscripts((s) => s.recent);
  const setQuery = useTranscripts((s) => s.setQuery);
  const search = useTranscripts((s) => s.search);
  const loadRecent = useTranscripts((s) => s.loadRecent);
  const open = useTranscripts((s) => s.open);
  const detail = useTranscripts((s) => s.detail);
  useEffect(() => {
    void loadRecent();
  }, [loadRecent]);
  return (
    <div className="split">
      <aside className="transcript-list">
        <form
          role="search"
          aria-label="Search transcripts"
          onSubmit={(e) => {
            e.preventDefault();
            void search();
          }}
        >
          <input
            type="search"
            aria-label="Search transcripts and summaries"
            placeholder="Words from any call…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          <button type="submit" disabled={searching}>
            Search
          </button>
        </form>
        {hits ? (
          <ul className="hits" aria-label="Search results">
            {hits.length === 0 && <li className="muted">No call mentions “{query}”.</li>}
            {hits.map((h) => (
              <li key={h.callId} className={detail?.call.id === h.callId ? 'selected' : ''}>
                <button type="button" className="link" onClick={() => void open(h.callId)}>
                  {h.contactName || h.phone}
                </button>
                <time className="muted">{formatDateTime(h.endedAt)}</time>
                <p>
                  <Highlighted text={h.snippet} />
                </p>
              </li>
            ))}
          </ul>
        ) : (
          <table aria-label="Finished calls">
            <thead>
              <tr>
                <th>Contact</th>
                <th>Result</th>
                <th>Outcome</th>
                <th>Ended</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((c) => (
                <tr key={c.id} className={detail?.call.id === c.id ? 'selected' : ''}>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Open call ${c.id} (${c.contactName || c.phone})`}
                      onClick={() => void open(c.id)}
                    >
                      {c.contactName || c.phone}
                    </button>
                  </td>
                  <td>
                    <StateBadge state={callState(c)} />
                  </td>
                  <td>{c.outcome ? humanize(c.outcome) : '—'}</td>
                  <td>{formatTime(c.endedAt)}</td>
                </tr>
              ))}
              {recent.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No finished calls yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </aside>
      <div className="transcript-main">
        {detail ? <CallDetail /> : <p className="muted">Choose a call to read its transcript.</p>}
      </div>
    </div>
  );
}
