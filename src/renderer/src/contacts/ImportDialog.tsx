import { useEffect, useRef, useState } from 'react';
import { useImport } from './import-store';
import { ListTarget } from './ListTarget';
import { humanize } from '../shell/format';

const STANDARD_TARGETS = ['name', 'phone', 'email', 'timezone', 'skip'];

/** Variable names the voice agent sees ({{order_id}}): lower-case, underscores. */
function variableName(header: string, fallback: string): string {
  const name = header
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
  return name || fallback.toLowerCase();
}

function MappingTable() {
  const preview = useImport((s) => s.preview)!;
  const mapping = useImport((s) => s.mapping);
  const setColumnTarget = useImport((s) => s.setColumnTarget);
  return (
    <table className="mapping" aria-label="Column mapping">
      <thead>
        <tr>
          <th>Column</th>
          <th>Header</th>
          <th>Becomes</th>
          <th>Examples</th>
        </tr>
      </thead>
      <tbody>
        {preview.columns.map((col) => {
          const current = mapping[col.key] ?? col.target;
          const asVariable = variableName(col.header, col.letter);
          const options = [
            ...STANDARD_TARGETS,
            ...(STANDARD_TARGETS.includes(current) || current === asVariable ? [] : [current]),
            asVariable,
          ];
          return (
            <tr key={col.key}>
              <td>{col.letter}</td>
              <td>{col.header || <span className="muted">(no header)</span>}</td>
              <td>
                <select
                  aria-label={`Map column ${col.letter} (${col.header || 'no header'})`}
                  value={current}
                  onChange={(e) => setColumnTarget(col.key, e.target.value)}
                >
                  {[...new Set(options)].map((o) => (
                    <option key={o} value={o}>
                      {STANDARD_TARGETS.includes(o)
                        ? o === 'skip'
                          ? 'Skip (do not import)'
                          : humanize(o)
                        : `Variable {{${o}}}`}
                    </option>
                  ))}
                </select>
              </td>
              <td className="muted ellipsis">{col.samples.slice(0, 3).join(' · ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function PreviewRows() {
  const preview = useImport((s) => s.preview)!;
  return (
    <div className="preview-rows">
      <table aria-label="File preview">
        <thead>
          <tr>
            <th>Row</th>
            {preview.columns.map((c) => (
              <th key={c.key}>{c.letter}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r) => (
            <tr
              key={r.row}
              className={r.row === preview.headerRow ? 'header-row' : r.row < preview.headerRow ? 'muted' : ''}
            >
              <td>{r.row}</td>
              {r.cells.map((cell, i) => (
                <td key={i}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ResultView() {
  const result = useImport((s) => s.result)!;
  const close = useImport((s) => s.close);
  return (
    <div role="status" aria-label="Import result">
      <p>
        <strong>{result.accepted}</strong> imported · <strong>{result.duplicates}</strong> duplicates merged ·{' '}
        <strong>{result.dnc}</strong> on the do-not-call list · <strong>{result.rejectedCount}</strong> rejected ·{' '}
        {result.blankRows} blank rows skipped
      </p>
      <p className="muted">Duplicates: {result.duplicateRule}</p>
      {result.rejected.length > 0 && (
        <table aria-label="Rejected rows">
          <thead>
            <tr>
              <th>Row</th>
              <th>Column</th>
              <th>Value</th>
              <th>Why</th>
              <th>Fix</th>
            </tr>
          </thead>
          <tbody>
            {result.rejected.slice(0, 200).map((r, i) => (
              <tr key={i}>
                <td>{r.row}</td>
                <td>{r.column}</td>
                <td>{r.value}</td>
                <td>{r.reason}</td>
                <td>{r.fix ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="primary" onClick={close}>
        Done
      </button>
    </div>
  );
}

/** COD files: the outcomes can go back into the original call_list.csv by themselves when a campaign completes. */
function WriteBackOption({ disabled }: { disabled: boolean }) {
  const writeBackAtEnd = useImport((s) => s.writeBackAtEnd);
  const writeBackPath = useImport((s) => s.writeBackPath);
  const setWriteBack = useImport((s) => s.setWriteBack);
  return (
    <span className="write-back">
      <label>
        <input
          type="checkbox"
          checked={writeBackAtEnd}
          disabled={disabled}
          onChange={(e) => setWriteBack({ writeBackAtEnd: e.target.checked })}
        />{' '}
        Write outcomes back to the original file at the end
      </label>
      {writeBackAtEnd && (
        <input
          value={writeBackPath}
          disabled={disabled}
          onChange={(e) => setWriteBack({ writeBackPath: e.target.value })}
          placeholder="full path of the original call_list.csv"
          aria-label="Original file to write outcomes into"
        />
      )}
    </span>
  );
}

export function ImportDialog() {
  const step = useImport((s) => s.step);
  const fileName = useImport((s) => s.fileName);
  const preview = useImport((s) => s.preview);
  const error = useImport((s) => s.error);
  const progress = useImport((s) => s.progress);
  const target = useImport((s) => s.target);
  const listName = useImport((s) => s.listName);
  const { inspect, resetMapping, setTarget, setListName, commit, cancel } = useImport.getState();
  if (step === 'idle') return null;
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-label={`Import ${fileName}`}>
        <header className="dialog-head">
          <h3>Import “{fileName}”</h3>
          {step !== 'done' && (
            <button type="button" className="danger" onClick={() => void cancel()}>
              {step === 'committing' ? 'Cancel import' : 'Cancel'}
            </button>
          )}
        </header>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {step === 'reading' && <p role="status">Reading the file…</p>}
        {step === 'done' && <ResultView />}
        {preview && (step === 'preview' || step === 'committing') && (
          <>
            <div className="toolbar">
              <label>
                Sheet
                <select
                  aria-label="Sheet"
                  value={preview.sheet}
                  disabled={step === 'committing'}
                  onChange={(e) => void inspect({ sheet: e.target.value })}
                >
                  {preview.sheets.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.name} ({s.rows} rows)
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Header row
                <input
                  aria-label="Header row"
                  type="number"
                  min={0}
                  className="narrow"
                  value={preview.headerRow}
                  disabled={step === 'committing'}
                  onChange={(e) => void inspect({ headerRow: Math.max(0, Number(e.target.value)) })}
                />
              </label>
              <span className="muted">
                {preview.preset
                  ? `Preset: ${preview.preset.label}`
                  : 'No preset matched; columns guessed from their names.'}
              </span>
              <button type="button" onClick={resetMapping} disabled={step === 'committing'}>
                Reset to suggested mapping
              </button>
            </div>
            {preview.notes.length > 0 && (
              <ul className="notes">
                {preview.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            )}
            <div className="import-body">
              <MappingTable />
              <PreviewRows />
            </div>
            <div className="toolbar">
              <ListTarget
                label="Import into"
                nameLabel="Imported list name"
                target={target}
                onTarget={setTarget}
                listName={listName}
                onListName={setListName}
                disabled={step === 'committing'}
              />
              <WriteBackOption disabled={step === 'committing'} />
              <button type="button" className="primary" disabled={step === 'committing'} onClick={() => void commit()}>
                Import
              </button>
              {step === 'committing' && progress && (
                <div
                  className="progress import-progress"
                  role="progressbar"
                  aria-label="Import progress"
                  aria-valuemin={0}
                  aria-valuemax={progress.total || 100}
                  aria-valuenow={progress.done}
                >
                  <div style={{ width: progress.total ? `${(100 * progress.done) / progress.total}%` : '5%' }} />
                  <span>
                    {humanize(progress.phase)}{' '}
                    {progress.total ? `${progress.done.toLocaleString()} / ${progress.total.toLocaleString()}` : '…'}
                  </span>
                </div>
              )}
            </div>
          </>
        )}
      </div>
    </div>
  );
}

/** "Import file…" in the contacts toolbar (the same flow as dropping a file). */
export function ImportButton() {
  const input = useRef<HTMLInputElement>(null);
  const openFile = useImport((s) => s.openFile);
  return (
    <>
      <button type="button" onClick={() => input.current?.click()}>
        Import file…
      </button>
      <input
        ref={input}
        type="file"
        hidden
        aria-label="Choose a file to import"
        accept=".xlsx,.xls,.csv,.tsv,.txt"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void openFile(file);
          e.target.value = '';
        }}
      />
    </>
  );
}

/** Dropping a file anywhere on the window starts an import; a full-window target shows while dragging. */
export function ImportDropZone() {
  const [dragging, setDragging] = useState(false);
  const openFile = useImport((s) => s.openFile);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const onEnter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const onOver = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const onDrop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const file = e.dataTransfer?.files[0];
      if (file) void openFile(file);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [openFile]);
  return (
    <>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop the file to import it
        </div>
      )}
      <ImportDialog />
    </>
  );
}
