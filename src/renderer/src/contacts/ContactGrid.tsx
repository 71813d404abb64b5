import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
} from 'react';
import type { GridContact } from '@shared/contract/contacts';
import { BASE_COLUMNS, tsvCell, variableColumn, type Column } from './columns';
import { useContacts } from './store';

// A spreadsheet-style grid over the contacts pages: virtualised rows (only what is on screen is in the DOM),
// one active cell driven by the keyboard, row selection with shift/ctrl, copy as TSV, resizable/hideable columns.

const ROW_HEIGHT = 26;
const HIDDEN_BY_DEFAULT = new Set(['sourceRow', 'updatedAt', 'summary', 'lastCallAt']);

interface Cursor {
  row: number;
  col: number;
}

interface Editing {
  row: number;
  col: number;
  value: string;
  error: string | null;
  saving: boolean;
}

interface RowProps {
  index: number;
  contact: GridContact | undefined;
  columns: Column[];
  widths: Record<string, number>;
  selected: boolean;
  activeCol: number | null;
  top: number;
  onCellMouseDown(row: number, col: number, e: MouseEvent): void;
  onCellDoubleClick(row: number, col: number): void;
}

const GridRow = memo(function GridRow({
  index,
  contact,
  columns,
  widths,
  selected,
  activeCol,
  top,
  onCellMouseDown,
  onCellDoubleClick,
}: RowProps) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={selected ? 'grid-row selected' : 'grid-row'}
      style={{ transform: `translateY(${top}px)` }}
    >
      <div role="rowheader" className="grid-cell rownum" style={{ width: 56 }}>
        {index + 1}
      </div>
      {columns.map((col, c) => (
        <div
          key={col.key}
          id={`cell-${index}-${c}`}
          role="gridcell"
          aria-colindex={c + 2}
          className={activeCol === c ? 'grid-cell active' : 'grid-cell'}
          style={{ width: widths[col.key] ?? col.width }}
          onMouseDown={(e) => onCellMouseDown(index, c, e)}
          onDoubleClick={() => onCellDoubleClick(index, c)}
        >
          {contact ? (col.render ? col.render(contact) : col.value(contact)) : '…'}
        </div>
      ))}
    </div>
  );
});

export function ContactGrid() {
  const total = useContacts((s) => s.total) ?? 0;
  const rows = useContacts((s) => s.rows);
  const selected = useContacts((s) => s.selected);
  const setSelected = useContacts((s) => s.setSelected);
  const ensureRange = useContacts((s) => s.ensureRange);
  const sort = useContacts((s) => s.sort);
  const setSort = useContacts((s) => s.setSort);
  const saveCell = useContacts((s) => s.saveCell);
  const listVariables = useContacts((s) => s.variables);

  const variableNames = useMemo(() => {
    const names = new Set<string>(listVariables);
    let seen = 0;
    for (const contact of rows.values()) {
      for (const k of Object.keys(contact.variables)) names.add(k);
      if (++seen > 500) break;
    }
    return [...names];
  }, [rows, listVariables]);
  const allColumns = useMemo(() => [...BASE_COLUMNS, ...variableNames.map(variableColumn)], [variableNames]);
  const [hidden, setHidden] = useState<Set<string>>(HIDDEN_BY_DEFAULT);
  const [widths, setWidths] = useState<Record<string, number>>({});
  const columns = useMemo(() => allColumns.filter((c) => !hidden.has(c.key)), [allColumns, hidden]);

  const [cursor, setCursor] = useState<Cursor>({ row: 0, col: 0 });
  const [editing, setEditing] = useState<Editing | null>(null);
  const anchor = useRef(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  // `version` too: after a reload the count may stay the same while the rows in view still belong to the old order.
  const version = useContacts((s) => s.version);
  useEffect(() => {
    if (total) ensureRange(first, last + 1);
  }, [first, last, total, version, ensureRange]);

  const idsBetween = useCallback(
    (a: number, b: number) => {
      const ids = new Set<number>();
      for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
        const contact = rows.get(i);
        if (contact) ids.add(contact.id);
      }
      return ids;
    },
    [rows],
  );

  const selectTo = useCallback(
    (row: number, mode: 'single' | 'range' | 'toggle') => {
      const contact = rows.get(row);
      if (mode === 'range') {
        setSelected(idsBetween(anchor.current, row));
        return;
      }
      anchor.current = row;
      if (!contact) return;
      if (mode === 'toggle') {
        const next = new Set(selected);
        if (next.has(contact.id)) next.delete(contact.id);
        else next.add(contact.id);
        setSelected(next);
      } else {
        setSelected(new Set([contact.id]));
      }
    },
    [rows, selected, setSelected, idsBetween],
  );

  // Rows get stable handlers (through a ref), so a page of data arriving re-renders only the rows it fills.
  const handlers = useRef({ selectTo, startEdit: (_row: number, _col: number) => {} });
  handlers.current.selectTo = selectTo;
  const onCellMouseDown = useCallback((row: number, col: number, e: MouseEvent) => {
    setCursor({ row, col });
    handlers.current.selectTo(row, e.shiftKey ? 'range' : e.ctrlKey || e.metaKey ? 'toggle' : 'single');
    scrollRef.current?.focus();
  }, []);

  const startEdit = useCallback(
    (row: number, col: number, initial?: string) => {
      const contact = rows.get(row);
      const column = columns[col];
      if (!contact || !column?.edit) return;
      setEditing({ row, col, value: initial ?? column.value(contact), error: null, saving: false });
    },
    [rows, columns],
  );
  handlers.current.startEdit = startEdit;
  const onCellDoubleClick = useCallback((row: number, col: number) => handlers.current.startEdit(row, col), []);

  const commitEdit = async () => {
    if (!editing) return;
    const contact = rows.get(editing.row);
    const column = columns[editing.col];
    if (!contact || !column?.edit) return setEditing(null);
    if (editing.value === column.value(contact)) {
      setEditing(null);
      scrollRef.current?.focus();
      return;
    }
    setEditing({ ...editing, saving: true });
    const error = await saveCell(contact.id, column.edit, editing.value);
    if (error) {
      setEditing({ ...editing, saving: false, error });
      return;
    }
    setEditing(null);
    scrollRef.current?.focus();
  };

  const move = (row: number, col: number, extend: boolean) => {
    const r = Math.max(0, Math.min(total - 1, row));
    const c = Math.max(0, Math.min(columns.length - 1, col));
    setCursor({ row: r, col: c });
    virtualizer.scrollToIndex(r, { align: 'auto' });
    if (r !== cursor.row) selectTo(r, extend ? 'range' : 'single');
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (editing) return;
    const { row, col } = cursor;
    // Measured here, not during render: reading layout while rendering would force a reflow on every scroll frame.
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const ctrl = e.ctrlKey || e.metaKey;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(row + 1, col, e.shiftKey),
      ArrowUp: () => move(row - 1, col, e.shiftKey),
      ArrowRight: () => move(row, col + 1, false),
      ArrowLeft: () => move(row, col - 1, false),
      PageDown: () => move(row + pageRows, col, e.shiftKey),
      PageUp: () => move(row - pageRows, col, e.shiftKey),
      Home: () => (ctrl ? move(0, col, e.shiftKey) : move(row, 0, false)),
      End: () => (ctrl ? move(total - 1, col, e.shiftKey) : move(row, columns.length - 1, false)),
      ' ': () => selectTo(row, 'toggle'),
      Enter: () => startEdit(row, col),
      F2: () => startEdit(row, col),
      Escape: () => setSelected(new Set()),
    };
    if (ctrl && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      setSelected(new Set([...rows.values()].map((c) => c.id)));
      return;
    }
    const action = keys[e.key];
    if (action) {
      e.preventDefault();
      action();
      return;
    }
    // Typing over a cell starts editing it, as in a spreadsheet.
    if (e.key.length === 1 && !ctrl && !e.altKey && columns[col]?.edit) {
      e.preventDefault();
      startEdit(row, col, e.key);
    }
  };

  /** Ctrl+C: the selected rows (visible columns) as TSV, or the active cell alone when nothing is selected. */
  const onCopy = (e: React.ClipboardEvent) => {
    const picked = [...rows.entries()].filter(([, c]) => selected.has(c.id)).sort((a, b) => a[0] - b[0]);
    let text: string;
    if (picked.length > 1) {
      const header = columns.map((c) => tsvCell(c.label)).join('\t');
      text = [header, ...picked.map(([, contact]) => columns.map((c) => tsvCell(c.value(contact))).join('\t'))].join(
        '\n',
      );
    } else {
      const contact = rows.get(cursor.row);
      text = contact ? tsvCell(columns[cursor.col]?.value(contact) ?? '') : '';
    }
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
  };

  const startResize = (key: string, startWidth: number) => (e: PointerEvent) => {
    e.preventDefault();
    e.stopPropagation();
    const startX = e.clientX;
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const onMove = (ev: globalThis.PointerEvent) =>
      setWidths((w) => ({ ...w, [key]: Math.max(50, startWidth + ev.clientX - startX) }));
    const onUp = () => {
      target.removeEventListener('pointermove', onMove);
      target.removeEventListener('pointerup', onUp);
    };
    target.addEventListener('pointermove', onMove);
    target.addEventListener('pointerup', onUp);
  };

  const totalWidth = 56 + columns.reduce((sum, c) => sum + (widths[c.key] ?? c.width), 0);

  return (
    <div className="grid-wrap">
      <div className="grid-tools">
        <span aria-live="polite">
          {total.toLocaleString()} contacts{selected.size ? ` · ${selected.size.toLocaleString()} selected` : ''}
        </span>
        <details className="menu">
          <summary aria-label="Show or hide columns">Columns</summary>
          <div className="menu-body" role="group" aria-label="Visible columns">
            {allColumns.map((c) => (
              <label key={c.key}>
                <input
                  type="checkbox"
                  checked={!hidden.has(c.key)}
                  onChange={(e) => {
                    const next = new Set(hidden);
                    if (e.target.checked) next.delete(c.key);
                    else next.add(c.key);
                    setHidden(next);
                  }}
                />
                {c.label}
              </label>
            ))}
          </div>
        </details>
        <span className="hint">Arrows move · Shift/Ctrl+click select · Ctrl+C copies TSV</span>
      </div>
      <div
        ref={scrollRef}
        className="grid-scroll"
        role="grid"
        aria-label="Contacts"
        aria-rowcount={total + 1}
        aria-colcount={columns.length + 1}
        aria-multiselectable="true"
        aria-activedescendant={total ? `cell-${cursor.row}-${cursor.col}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onCopy={onCopy}
      >
        <div className="grid-header" role="row" aria-rowindex={1} style={{ width: totalWidth }}>
          <div role="columnheader" className="grid-cell rownum" style={{ width: 56 }}>
            #
          </div>
          {columns.map((col) => {
            const width = widths[col.key] ?? col.width;
            const direction = sort && sort.column === col.sort ? sort.direction : undefined;
            return (
              <div
                key={col.key}
                role="columnheader"
                className="grid-cell head"
                style={{ width }}
                aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : 'none'}
              >
                {col.sort ? (
                  <button
                    type="button"
                    className="sort"
                    aria-label={`Sort by ${col.label}`}
                    onClick={() => {
                      const column = col.sort!;
                      setSort(
                        direction === undefined
                          ? { column, direction: 'asc' }
                          : direction === 'asc'
                            ? { column, direction: 'desc' }
                            : undefined,
                      );
                    }}
                  >
                    {col.label}
                    {direction === 'asc' ? ' ▲' : direction === 'desc' ? ' ▼' : ''}
                  </button>
                ) : (
                  <span>{col.label}</span>
                )}
                <span
                  className="resizer"
                  role="separator"
                  aria-orientation="vertical"
                  aria-label={`Resize ${col.label}`}
                  onPointerDown={startResize(col.key, width)}
                />
              </div>
            );
          })}
        </div>
        <div className="grid-body" style={{ height: virtualizer.getTotalSize(), width: totalWidth }}>
          {items.map((item) => {
            const contact = rows.get(item.index);
            return (
              <GridRow
                key={item.index}
                index={item.index}
                contact={contact}
                columns={columns}
                widths={widths}
                selected={contact ? selected.has(contact.id) : false}
                activeCol={cursor.row === item.index ? cursor.col : null}
                top={item.start}
                onCellMouseDown={onCellMouseDown}
                onCellDoubleClick={onCellDoubleClick}
              />
            );
          })}
          {editing && (
            <CellEditor
              editing={editing}
              column={columns[editing.col]}
              top={editing.row * ROW_HEIGHT}
              left={56 + columns.slice(0, editing.col).reduce((sum, c) => sum + (widths[c.key] ?? c.width), 0)}
              width={Math.max(180, widths[columns[editing.col].key] ?? columns[editing.col].width)}
              onChange={(value) => setEditing({ ...editing, value, error: null })}
              onCommit={() => void commitEdit()}
              onCancel={() => {
                setEditing(null);
                scrollRef.current?.focus();
              }}
            />
          )}
        </div>
      </div>
    </div>
  );
}

function CellEditor(props: {
  editing: Editing;
  column: Column;
  top: number;
  left: number;
  width: number;
  onChange(value: string): void;
  onCommit(): void;
  onCancel(): void;
}) {
  const { editing, column } = props;
  return (
    <div className="cell-editor" style={{ top: props.top, left: props.left, width: props.width }}>
      <input
        autoFocus
        aria-label={`Edit ${column.label}`}
        aria-invalid={editing.error ? true : undefined}
        aria-describedby={editing.error ? 'cell-editor-error' : undefined}
        value={editing.value}
        disabled={editing.saving}
        onChange={(e) => props.onChange(e.target.value)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') props.onCommit();
          if (e.key === 'Escape') props.onCancel();
        }}
      />
      {editing.error && (
        <div id="cell-editor-error" className="cell-error" role="alert">
          {editing.error} (Enter to retry, Esc to cancel)
        </div>
      )}
    </div>
  );
}
