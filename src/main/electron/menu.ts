import { AppView } from '@shared/contract/app';
import type { MenuItemTemplate, MenuRole } from './types';

const VIEW_LABELS: Record<AppView, string> = {
  contacts: 'Contacts',
  campaigns: 'Campaigns',
  live: 'Live',
  transcripts: 'Transcripts',
  review: 'Review',
  settings: 'Settings',
  recordings: 'Recordings',
  analytics: 'Analytics',
  logs: 'Logs',
};

export interface MenuActions {
  navigate(view: AppView): void;
  about(): void;
  openLogs(): void;
}

/** The application menu: views on Ctrl/Cmd+1..5, the usual edit/window roles, About with the version. */
export function buildMenuTemplate(options: {
  appName: string;
  platform: NodeJS.Platform;
  dev: boolean;
  actions: MenuActions;
}): MenuItemTemplate[] {
  const { appName, platform, dev, actions } = options;
  const mac = platform === 'darwin';
  const about: MenuItemTemplate = { label: `About ${appName}`, click: actions.about };
  const views: MenuItemTemplate[] = AppView.options.map((view, i) => ({
    label: VIEW_LABELS[view],
    accelerator: `CmdOrCtrl+${i + 1}`,
    click: () => actions.navigate(view),
  }));
  const appMenu: MenuItemTemplate = mac
    ? {
        label: appName,
        submenu: [about, separator, role('hide'), role('hideOthers'), role('unhide'), separator, role('quit')],
      }
    : { label: '&File', submenu: [role('quit')] };
  return [
    appMenu,
    {
      label: '&Edit',
      // Copy and paste in text fields only work on macOS when these roles are in the menu.
      submenu: [role('undo'), role('redo'), separator, role('cut'), role('copy'), role('paste'), role('selectAll')],
    },
    {
      label: '&View',
      submenu: [
        ...views,
        separator,
        role('resetZoom'),
        role('zoomIn'),
        role('zoomOut'),
        separator,
        role('togglefullscreen'),
        ...(dev ? [separator, role('reload'), role('toggleDevTools')] : []),
      ],
    },
    { label: '&Window', submenu: [role('minimize'), ...(mac ? [role('zoom')] : []), role('close')] },
    {
      label: '&Help',
      submenu: [{ label: 'Open Logs Folder', click: actions.openLogs }, ...(mac ? [] : [separator, about])],
    },
  ];
}

const role = (name: MenuRole): MenuItemTemplate => ({ role: name });
const separator: MenuItemTemplate = { type: 'separator' };

export function aboutText(options: {
  appName: string;
  version: string;
  versions: { electron?: string; chrome?: string; node?: string };
  dataDir: string;
}): { message: string; detail: string } {
  const { versions } = options;
  return {
    message: `${options.appName} ${options.version}`,
    detail: [
      `Electron ${versions.electron ?? '?'} · Chromium ${versions.chrome ?? '?'} · Node ${versions.node ?? '?'}`,
      `Data folder: ${options.dataDir}`,
    ].join('\n'),
  };
}
