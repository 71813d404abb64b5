import { useEffect, useState } from 'react';
import type { ReviewItem } from '@shared/contract/calls';
import { formatDateTime, humanize } from '../shell/format';
import { useReview } from './review-store';

/** The body as the provider sent it, indented when it is JSON (never rendered as HTML). */
function prettyRaw(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

function ReviewDetail({ item }: { item: ReviewItem }) {
  const candidates = useReview((s) => s.candidates);
  const attach = useReview((s) => s.attach);
  const dismiss = useReview((s) => s.dismiss);
  const busy = useReview((s) => s.busy);
  const [callId, setCallId] = useState('');
  const chosen = candidates.find((c) => String(c.id) === callId);
  return (
    <section className="call-detail review-detail" aria-label={`Review item ${item.id}`}>
      <header>
        <h3>
          {humanize(item.provider)} {item.kind}
        </h3>
        <span className="muted">received {formatDateTime(item.receivedAt)}</span>
      </header>
      <p role="note">
        <strong>Not attached to any call:</strong> {item.reason}. The console never guesses whose answer this is; if you
        know, attach it to that call, and it is applied like any provider event (its outcome included).
      </p>
      <h4>Raw body</h4>
      <pre className="raw-json" aria-label="Raw body">
        {prettyRaw(item.raw)}
      </pre>
      <form
        className="review-actions"
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) void attach(item.id, chosen.id).then((ok) => ok && setCallId(''));
        }}
      >
        <label>
          Call
          <select value={callId} onChange={(e) => setCallId(e.target.value)} aria-label="Call to attach to">
            <option value="">Choose the call this belongs to…</option>
            {candidates.map((c) => (
              <option key={c.id} value={String(c.id)}>
                #{c.id} {c.contactName ?? ''} {c.phone} · {humanize(c.result ?? c.status)}
                {c.outcome ? ` · ${humanize(c.outcome)}` : ''} · {formatDateTime(c.endedAt ?? c.createdAt)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={!chosen || busy}>
          Attach to call
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void dismiss(item.id)}>
          Dismiss
        </button>
      </form>
    </section>
  );
}

/** Provider events the console could not tie to a call with certainty, waiting for a person's decision. */
export function ReviewView() {
  const items = useReview((s) => s.items);
  const selectedId = useReview((s) => s.selectedId);
  const loaded = useReview((s) => s.loaded);
  const load = useReview((s) => s.load);
  const select = useReview((s) => s.select);
  useEffect(() => {
    void load();
  }, [load]);
  const selected = items.find((i) => i.id === selectedId);
  return (
    <div className="split">
      <aside aria-label="Events to review">
        <h3>To review ({items.length})</h3>
        <table>
          <thead>
            <tr>
              <th>Received</th>
              <th>Event</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} className={i.id === selectedId ? 'selected' : ''} aria-selected={i.id === selectedId}>
                <td>{formatDateTime(i.receivedAt)}</td>
                <td>
                  <button type="button" className="link" onClick={() => void select(i.id)}>
                    {humanize(i.provider)} {i.kind}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {loaded && items.length === 0 && (
          <p className="muted">Nothing to review: every provider event found its call.</p>
        )}
      </aside>
      <div className="transcript-main">
        {selected ? (
          <ReviewDetail key={selected.id} item={selected} />
        ) : (
          <p className="muted">Events that name no call with certainty appear here with their raw body.</p>
        )}
      </div>
    </div>
  );
}
