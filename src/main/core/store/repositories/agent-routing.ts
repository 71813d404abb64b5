import { languageTag, primaryLanguage } from '@shared/languages';
import { prepareCached, type Db } from '../db';

/** Which human agent takes a hand-off: the provider routing's one question to the agents table. */
export class AgentRoutingRepository {
  private readonly firstStmt;
  constructor(private readonly db: Db) {
    // Available agents with a dialable number; the one whose status changed longest ago goes first, so hand-offs
    // spread over the roster instead of always ringing the same person. Busy and away agents are never picked.
    this.firstStmt = db.prepare<[], { id: number; name: string; phone: string; skills_json: string }>(
      `SELECT id, name, phone, skills_json FROM agents
        WHERE status = 'available' AND phone IS NOT NULL AND phone <> ''
        ORDER BY updated_at ASC, id ASC`,
    );
  }
  /**
   * The available agent who has waited longest, preferring one who speaks `language` (a BCP 47 tag): a skill that
   * names the same language (hi, hi-IN, Hindi, हिन्दी) counts. Nobody who speaks it: the longest-waiting agent.
   */
  firstAvailable(language?: string | null): { id: number; name: string; phone: string } | null {
    const available = this.firstStmt.all();
    const wanted = language ? primaryLanguage(language) : null;
    const speaker = wanted
      ? available.find((a) =>
          (JSON.parse(a.skills_json) as string[]).some((skill) => {
            const tag = languageTag(skill);
            return tag !== null && primaryLanguage(tag) === wanted;
          }),
        )
      : undefined;
    const chosen = speaker ?? available[0];
    return chosen ? { id: chosen.id, name: chosen.name, phone: chosen.phone } : null;
  }
  /** The agent a provider says it transferred to (E.164 number, or SIP address with or without `sip:`). */
  byDestination(destination: string): { id: number; name: string } | null {
    return (
      prepareCached<[{ destination: string }], { id: number; name: string }>(
        this.db,
        `SELECT id, name FROM agents WHERE phone = @destination OR sip = @destination OR 'sip:' || sip = @destination ORDER BY id LIMIT 1`,
      ).get({ destination }) ?? null
    );
  }
}
