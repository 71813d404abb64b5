import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The simulator's own durable record of its calls, like a real provider's database: one JSON line per change of a
 * call, appended synchronously before the simulator answers (so a call it acknowledged survives a SIGKILL of the
 * console), the last line of a call winning on load. It lives in the data folder, apart from the console's store:
 * it is the provider's state, not the console's (docs/providers.md, Simulator).
 */
export class SimulatorStateFile<T extends { id: string }> {
  private appended = 0;

  constructor(
    private readonly path: string,
    /** Records kept when the file is compacted (the newest win). */
    private readonly keep: number,
  ) {}

  /** Every call's latest record, oldest first; the file is rewritten with just those. */
  load(): T[] {
    const latest = new Map<string, T>();
    if (existsSync(this.path)) {
      for (const line of readFileSync(this.path, 'utf8').split('\n')) {
        if (!line.startsWith('{')) continue;
        let record: T;
        try {
          record = JSON.parse(line) as T;
        } catch {
          continue; // a line cut by a kill was never acknowledged
        }
        latest.delete(record.id); // re-inserted last: the map keeps the order of each call's last change
        latest.set(record.id, record);
      }
    }
    const records = [...latest.values()].slice(-this.keep);
    this.rewrite(records);
    return records;
  }

  save(record: T): void {
    appendFileSync(this.path, JSON.stringify(record) + '\n');
    this.appended++;
  }

  /** Compacts once the log has grown well past the calls it describes. */
  compactIfLarge(current: () => T[]): void {
    if (this.appended < Math.max(10_000, 4 * this.keep)) return;
    this.rewrite(current());
  }

  private rewrite(records: T[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, records.map((r) => JSON.stringify(r) + '\n').join(''));
    renameSync(tmp, this.path);
    this.appended = 0;
  }
}
