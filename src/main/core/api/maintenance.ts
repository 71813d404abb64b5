import type { Handlers } from '@shared/contract/define';
import { type maintenanceMethods } from '@shared/contract/maintenance';
import type { CoreServices } from '../services';
import {
  assertWipeConfirmed,
  backupDatabase,
  checkConsoleDatabase,
  backupTarget,
  listBackups,
  stageRestore,
  stageWipe,
} from '../maintenance/maintenance';
import { campaignsHandlers } from './campaigns';
import { ApiError } from '../errors';

export function maintenanceHandlers(core: CoreServices): Handlers<typeof maintenanceMethods> {
  const dbFile = core.db.name;
  const native = core.options.nativeBinding;
  const now = () => core.platform.clock.now();
  const safetyBackup = () =>
    backupDatabase(core.db, backupTarget(core.dataDir, null, now(), 'before-replace'), now(), native);
  // Let the answer reach the renderer before the host tears the core down.
  const restartSoon = () => {
    const restart = core.options.requestRestart;
    if (restart) core.platform.clock.setTimeout(restart, 250);
  };
  return {
    'maintenance.backup': async ({ path }) => {
      const info = await backupDatabase(core.db, backupTarget(core.dataDir, path, now()), now(), native);
      core.platform.logger.log('info', 'maintenance', `backup written to ${info.path} (${info.bytes} bytes)`);
      return info;
    },
    'maintenance.backups': () => listBackups(core.dataDir, native),
    'maintenance.restore': async ({ path }) => {
      checkConsoleDatabase(path, native);
      const backup = await safetyBackup();
      const staged = await stageRestore(dbFile, path, native);
      core.platform.logger.log(
        'warn',
        'maintenance',
        `restore of ${path} staged; the current data was backed up to ${backup.path}; restart to finish`,
      );
      restartSoon();
      return {
        staged: staged.staged,
        safetyBackup: backup,
        schemaVersion: staged.schemaVersion,
        restartRequired: true as const,
      };
    },
    'maintenance.wipe': async ({ confirm, includeSettings }) => {
      assertWipeConfirmed(confirm);
      const running = (await campaignsHandlers(core)['campaigns.list']({})).filter((c) => c.state === 'running');
      if (running.length > 0) {
        throw new ApiError(
          'conflict',
          `Campaign${running.length > 1 ? 's' : ''} ${running.map((c) => `"${c.name}"`).join(', ')} still running; pause or cancel before wiping.`,
        );
      }
      const backup = await safetyBackup();
      const tablesCleared = stageWipe(core.db, dbFile, confirm, includeSettings, native);
      core.platform.logger.log(
        'warn',
        'maintenance',
        `wipe staged (${tablesCleared} tables); the data was backed up to ${backup.path}; restart to finish`,
      );
      restartSoon();
      return { safetyBackup: backup, tablesCleared, restartRequired: true as const };
    },
  };
}
