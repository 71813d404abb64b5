import { type Campaign, CampaignSettings, type CampaignState, type ProviderName } from '@shared/domain';
import type { Statement } from 'better-sqlite3';
import { prepareCached, type Db } from '../db';

interface CampaignRow {
  id: number;
  name: string;
  provider: string;
  agent_id: string | null;
  state: CampaignState;
  state_reason: string | null;
  settings_json: string;
  start_at: number | null;
  created_at: number;
  updated_at: number;
  list_ids: string | null;
}

const SELECT = `SELECT campaigns.*, (SELECT group_concat(list_id) FROM campaign_lists WHERE campaign_id = campaigns.id) AS list_ids FROM campaigns`;

const parsedSettings = new Map<string, CampaignSettings>();
/** Settings parse once per distinct JSON text: the dialer reads campaigns on every tick. */
function settingsOf(json: string): CampaignSettings {
  let settings = parsedSettings.get(json);
  if (!settings) {
    settings = CampaignSettings.parse(JSON.parse(json));
    if (parsedSettings.size > 500) parsedSettings.clear();
    parsedSettings.set(json, settings);
  }
  return settings;
}

function toCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider as ProviderName,
    voiceAgentId: row.agent_id,
    state: row.state,
    listIds: row.list_ids
      ? row.list_ids
          .split(',')
          .map(Number)
          .sort((a, b) => a - b)
      : [],
    settings: settingsOf(row.settings_json),
    startAt: row.start_at,
    stateReason: row.state_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Campaign definitions and their lists. */
export class CampaignsRepository {
  private prep<P extends unknown[] | [Record<string, unknown>] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    return prepareCached<P, R>(this.db, sql);
  }

  private readonly getStmt;
  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[number], CampaignRow>(`${SELECT} WHERE campaigns.id = ?`);
  }

  create(c: {
    name: string;
    provider: ProviderName;
    voiceAgentId: string | null;
    state: CampaignState;
    settings: CampaignSettings;
    startAt: number | null;
    listIds: number[];
    at: number;
  }): number {
    const id = Number(
      this.prep(
        `INSERT INTO campaigns (name, provider, agent_id, state, settings_json, start_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(c.name, c.provider, c.voiceAgentId, c.state, JSON.stringify(c.settings), c.startAt, c.at, c.at)
        .lastInsertRowid,
    );
    const link = this.prep<[number, number]>(
      'INSERT OR IGNORE INTO campaign_lists (campaign_id, list_id) VALUES (?, ?)',
    );
    for (const listId of c.listIds) link.run(id, listId);
    return id;
  }

  get(id: number): Campaign | undefined {
    const row = this.getStmt.get(id);
    return row ? toCampaign(row) : undefined;
  }

  list(): Campaign[] {
    return this.prep<[], CampaignRow>(`${SELECT} ORDER BY campaigns.id DESC`).all().map(toCampaign);
  }

  inStates(states: CampaignState[]): Campaign[] {
    return this.prep<string[], CampaignRow>(
      `${SELECT} WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY campaigns.id`,
    )
      .all(...states)
      .map(toCampaign);
  }

  /** The campaign's settings as stored (callers that cache by text parse them once per version). */
  settingsJson(id: number): string | undefined {
    return this.prep<[number], { settings_json: string }>('SELECT settings_json FROM campaigns WHERE id = ?').get(id)
      ?.settings_json;
  }

  /** Campaigns that hold the list and can still call (a contact new to the list joins them). */
  openWithList(listId: number): Campaign[] {
    return this.prep<[number], CampaignRow>(
      `${SELECT} WHERE state IN ('draft','scheduled','running','paused')
         AND campaigns.id IN (SELECT campaign_id FROM campaign_lists WHERE list_id = ?) ORDER BY campaigns.id`,
    )
      .all(listId)
      .map(toCampaign);
  }

  setState(id: number, state: CampaignState, reason: string | null, at: number): void {
    this.prep<[string, string | null, number, number]>(
      'UPDATE campaigns SET state = ?, state_reason = ?, updated_at = ? WHERE id = ?',
    ).run(state, reason, at, id);
  }

  update(
    id: number,
    patch: { name?: string; voiceAgentId?: string | null; settings?: CampaignSettings; startAt?: number | null },
    at: number,
  ): void {
    const current = this.get(id);
    if (!current) return;
    this.prep(
      'UPDATE campaigns SET name = ?, agent_id = ?, settings_json = ?, start_at = ?, updated_at = ? WHERE id = ?',
    ).run(
      patch.name ?? current.name,
      patch.voiceAgentId !== undefined ? patch.voiceAgentId : current.voiceAgentId,
      JSON.stringify(patch.settings ?? current.settings),
      patch.startAt !== undefined ? patch.startAt : current.startAt,
      at,
      id,
    );
  }

  existingListIds(listIds: number[]): number[] {
    if (listIds.length === 0) return [];
    return this.prep<number[], { id: number }>(`SELECT id FROM lists WHERE id IN (${listIds.map(() => '?').join(',')})`)
      .all(...listIds)
      .map((r) => r.id);
  }
}
