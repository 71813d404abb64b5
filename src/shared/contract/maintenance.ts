import { z } from 'zod';
import { method } from './define';

/** The word the user types to confirm a wipe (checked in the core, not only in the form). */
export const WIPE_CONFIRMATION = 'WIPE';

export const BackupInfo = z.object({
  path: z.string(),
  bytes: z.number().int(),
  schemaVersion: z.number().int(),
  at: z.number(),
});
export type BackupInfo = z.infer<typeof BackupInfo>;

export const maintenanceMethods = {
  /**
   * A consistent copy of the live database (SQLite online backup; calls keep running). `path` is a file or an
   * existing folder; empty means <dataDir>/backups.
   */
  'maintenance.backup': method(z.object({ path: z.string().max(4096).nullable().default(null) }), BackupInfo),
  /** Backups in <dataDir>/backups, newest first. */
  'maintenance.backups': method(z.object({}), z.array(BackupInfo)),
  /**
   * Checks `path` is a console database this app can open, backs up the current data, and stages the file; it
   * replaces the live database when the console next starts (the host restarts it).
   */
  'maintenance.restore': method(
    z.object({ path: z.string().min(1).max(4096) }),
    z.object({
      staged: z.string(),
      safetyBackup: BackupInfo,
      schemaVersion: z.number().int(),
      restartRequired: z.literal(true),
    }),
  ),
  /**
   * Deletes every list, contact, campaign, call, transcript, recording and log (settings and secrets too when
   * `includeSettings`), after a backup. `confirm` must be the word WIPE. Refused while calls are live.
   */
  'maintenance.wipe': method(
    z.object({ confirm: z.string(), includeSettings: z.boolean().default(false) }),
    z.object({ safetyBackup: BackupInfo, tablesCleared: z.number().int(), restartRequired: z.literal(true) }),
  ),
};

export const maintenanceEvents = {};
