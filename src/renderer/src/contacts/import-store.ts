import { create } from 'zustand';
import type { ImportMapping, ImportPreview, ImportResult } from '@shared/contract/contacts';
import { api, describeError, payloadsOf } from '../connection/client';
import { useShell } from '../shell/store';
import { useContacts } from './store';

// One import at a time: file → preview (sheet, header row, mapping) → commit with progress → result. The file's
// bytes travel once, as base64 (the web host has no file path); later steps refer to it by the preview's token.

export interface ImportProgress {
  phase: string;
  done: number;
  total: number;
  message?: string;
}

interface ImportState {
  step: 'idle' | 'reading' | 'preview' | 'committing' | 'done';
  fileName: string;
  preview: ImportPreview | null;
  mapping: ImportMapping;
  /** 'new' or a list id. */
  target: string;
  listName: string;
  /** Write the outcomes into the original file when a campaign on the list completes; its path (an upload has none). */
  writeBackAtEnd: boolean;
  writeBackPath: string;
  progress: ImportProgress | null;
  result: ImportResult | null;
  error: string | null;
  openFile(file: File): Promise<void>;
  inspect(change: { sheet?: string; headerRow?: number }): Promise<void>;
  setColumnTarget(key: string, target: string): void;
  resetMapping(): void;
  setTarget(target: string): void;
  setListName(name: string): void;
  setWriteBack(patch: { writeBackAtEnd?: boolean; writeBackPath?: string }): void;
  commit(): Promise<void>;
  cancel(): Promise<void>;
  close(): void;
}

const MAX_FILE_BYTES = 60 * 1024 * 1024;

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

const initial = {
  step: 'idle' as const,
  fileName: '',
  preview: null,
  mapping: {},
  target: 'new',
  listName: '',
  writeBackAtEnd: false,
  writeBackPath: '',
  progress: null,
  result: null,
  error: null,
};

export const useImport = create<ImportState>()((set, get) => ({
  ...initial,
  async openFile(file) {
    if (get().step === 'committing') {
      useShell
        .getState()
        .notify('warning', `An import is running; "${file.name}" was not opened. Wait or cancel it first.`);
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      useShell
        .getState()
        .notify(
          'error',
          `"${file.name}" is ${Math.round(file.size / 1048576)} MB; files up to 60 MB can be imported here. Split it or save it as CSV.`,
        );
      return;
    }
    set({ ...initial, step: 'reading', fileName: file.name, listName: file.name.replace(/\.[^.]+$/, '') });
    try {
      const dataBase64 = await readBase64(file);
      const preview = await api.call('imports.preview', { fileName: file.name, dataBase64 });
      set({ step: 'preview', preview, mapping: preview.mapping });
    } catch (err) {
      set({ step: 'preview', error: `Could not read "${file.name}": ${describeError(err)}` });
    }
  },
  async inspect(change) {
    const preview = get().preview;
    if (!preview) return;
    try {
      const next = await api.call('imports.inspect', { token: preview.token, ...change });
      set({ preview: next, mapping: next.mapping, error: null });
    } catch (err) {
      set({ error: describeError(err) });
    }
  },
  setColumnTarget: (key, target) => set((s) => ({ mapping: { ...s.mapping, [key]: target } })),
  resetMapping: () => set((s) => ({ mapping: s.preview?.mapping ?? {} })),
  setTarget: (target) => set({ target }),
  setListName: (listName) => set({ listName }),
  setWriteBack: (patch) => set(patch),
  async commit() {
    const { preview, mapping, target, listName, writeBackAtEnd, writeBackPath } = get();
    if (!preview) return;
    if (!Object.values(mapping).includes('phone')) {
      set({ error: 'Map one column to Phone: the dialer needs a number for every contact.' });
      return;
    }
    set({ step: 'committing', error: null, progress: { phase: 'saving', done: 0, total: 0 } });
    try {
      const result = await api.call('imports.commit', {
        token: preview.token,
        sheet: preview.sheet,
        headerRow: preview.headerRow,
        mapping,
        ...(target === 'new' ? { listName: listName.trim() || preview.fileName } : { listId: Number(target) }),
        ...(writeBackAtEnd ? { writeBackAtEnd, writeBackPath: writeBackPath.trim() || undefined } : {}),
      });
      set({ step: 'done', result });
      const contacts = useContacts.getState();
      await contacts.loadLists();
      contacts.setList(result.listId);
    } catch (err) {
      // All-or-nothing: a failed or cancelled commit leaves nothing behind, and the preview stays open to retry.
      set({ step: 'preview', error: describeError(err), progress: null });
    }
  },
  async cancel() {
    const { preview, step } = get();
    if (preview && step !== 'done') {
      await api.call('imports.cancel', { token: preview.token }).catch(() => undefined);
    }
    if (step !== 'committing') set({ ...initial });
  },
  close: () => set({ ...initial }),
}));

api.onEvents((events) => {
  const token = useImport.getState().preview?.token;
  if (!token) return;
  const progress = payloadsOf(events, 'import.progress').filter((p) => p.token === token);
  const last = progress[progress.length - 1];
  if (last)
    useImport.setState({ progress: { phase: last.phase, done: last.done, total: last.total, message: last.message } });
});
