import { create } from 'zustand';
import type { ApiInput, ApiOutput } from '@shared/contract';
import type { WaitingContact } from '@shared/contract/campaigns';
import type { Campaign, CampaignProgress } from '@shared/domain';
import { api, payloadsOf } from '../connection/client';
import { onReconnect, useShell } from '../shell/store';
import { humanize } from '../shell/format';

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

export interface ActivityEntry {
  at: number;
  text: string;
  level?: string;
}

interface CampaignsState {
  campaigns: Campaign[];
  progress: Record<number, CampaignProgress>;
  /** What happened to each campaign while this window was open (state changes, with reasons). */
  activity: Record<number, ActivityEntry[]>;
  /** The dialer's own log per campaign (campaigns.log), newest first. */
  log: Record<number, ActivityEntry[]>;
  waiting: Record<number, WaitingContact[]>;
  selectedId: number | null;
  loaded: boolean;
  load(): Promise<void>;
  select(id: number | null): void;
  create(input: ApiInput<'campaigns.create'>): Promise<Campaign | undefined>;
  act(id: number, action: CampaignAction): Promise<void>;
  loadProgress(id: number): Promise<void>;
  /** Progress, waiting contacts and the dialer log of one campaign. */
  loadDetail(id: number): Promise<void>;
  /** The campaign's outcomes into its lists' original call_list.csv (`path` when the console does not know it). */
  writeBack(id: number, path?: string): Promise<ApiOutput<'campaigns.writeBack'>['files'] | undefined>;
}

function logActivity(state: CampaignsState, id: number, text: string, at = Date.now()) {
  const list = state.activity[id] ?? [];
  return { ...state.activity, [id]: [{ at, text }, ...list].slice(0, 200) };
}

export const useCampaigns = create<CampaignsState>()((set, get) => ({
  campaigns: [],
  progress: {},
  activity: {},
  log: {},
  waiting: {},
  selectedId: null,
  loaded: false,
  async load() {
    const campaigns = await useShell.getState().attempt('Loading campaigns', () => api.call('campaigns.list', {}));
    if (!campaigns) return;
    set((s) => ({
      campaigns: campaigns.slice().sort((a, b) => b.createdAt - a.createdAt),
      loaded: true,
      selectedId: s.selectedId ?? campaigns[0]?.id ?? null,
    }));
    await Promise.all(
      campaigns
        .filter((c) => c.state !== 'draft')
        .slice(0, 20)
        .map((c) => get().loadProgress(c.id)),
    );
  },
  select(id) {
    set({ selectedId: id });
    if (id !== null) void get().loadProgress(id);
  },
  async create(input) {
    const campaign = await useShell
      .getState()
      .attempt('Creating the campaign', () => api.call('campaigns.create', input));
    if (!campaign) return undefined;
    upsert(campaign);
    set((s) => ({ selectedId: campaign.id, activity: logActivity(s, campaign.id, 'Created') }));
    return campaign;
  },
  async act(id, action) {
    const campaign = await useShell
      .getState()
      .attempt(`${humanize(action)} campaign ${id}`, () => api.call(`campaigns.${action}`, { id }));
    if (campaign) upsert(campaign);
    await get().loadProgress(id);
  },
  async writeBack(id, path) {
    const result = await useShell
      .getState()
      .attempt('Writing outcomes to the original file', () => api.call('campaigns.writeBack', { id, path }));
    if (!result) return undefined;
    for (const f of result.files)
      useShell.getState().notify('info', `${f.path}: ${f.updated} rows updated, ${f.unchanged} already up to date.`);
    return result.files;
  },
  async loadDetail(id) {
    await get().loadProgress(id);
    try {
      const [log, waiting] = await Promise.all([
        api.call('campaigns.log', { id, limit: 200 }),
        api.call('campaigns.waiting', { id, limit: 200, offset: 0 }),
      ]);
      set((s) => ({
        log: { ...s.log, [id]: log.map((e) => ({ at: e.at, text: e.message, level: e.level })) },
        waiting: { ...s.waiting, [id]: waiting },
      }));
    } catch {
      // Detail panes refresh on the next poll; the progress numbers above are what matter most.
    }
  },
  async loadProgress(id) {
    try {
      const progress = await api.call('campaigns.progress', { id });
      set((s) => ({ progress: { ...s.progress, [id]: progress } }));
    } catch {
      // Progress is refreshed by events too; a failed poll is not worth a banner.
    }
  },
}));

function upsert(campaign: Campaign): void {
  useCampaigns.setState((s) => {
    const before = s.campaigns.find((c) => c.id === campaign.id);
    const campaigns = before
      ? s.campaigns.map((c) => (c.id === campaign.id ? campaign : c))
      : [campaign, ...s.campaigns];
    const changed = !before || before.state !== campaign.state;
    const text = `${humanize(campaign.state)}${campaign.stateReason ? `: ${campaign.stateReason}` : ''}`;
    return {
      campaigns,
      activity: changed ? logActivity(s, campaign.id, text, campaign.updatedAt) : s.activity,
    };
  });
}

api.onEvents((events) => {
  for (const c of payloadsOf(events, 'campaign.updated')) upsert(c);
  const progress = payloadsOf(events, 'campaign.progress');
  if (progress.length) {
    useCampaigns.setState((s) => {
      const next = { ...s.progress };
      for (const p of progress) next[p.campaignId] = p;
      return { progress: next };
    });
  }
});
onReconnect(() => void useCampaigns.getState().load());

/** First run: the demo list and campaign, started at once, then the Live view to watch it. */
export async function runDemo(): Promise<void> {
  const shell = useShell.getState();
  const result = await shell.attempt('Setting up the simulator demo', () => api.call('demo.setup', { start: true }));
  if (!result) return;
  shell.notify('info', 'Simulator demo started: 20 fictional contacts, calls on the Live view.');
  await useCampaigns.getState().load();
  if (result.campaignId !== null) useCampaigns.getState().select(result.campaignId);
  shell.setView('live');
}
