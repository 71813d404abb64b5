import { randomUUID } from 'node:crypto';
import { deliver, E164, fixture, HttpFake, json, type FakeRequest, type FakeResponse } from './http-fake';

// Bolna's hosted API as documented: bearer auth, POST /call, GET /executions/{id},
// POST /call/{id}/stop, PATCH /v2/agent/{id}; and the execution webhook, one POST per status change, in the
// shape of fixtures/providers/bolna-*.json.

interface Execution {
  id: string;
  agentId: string;
  to: string;
  from: string;
  userData: Record<string, unknown>;
  status: string;
  createdAt: number;
  snapshot: Record<string, unknown>;
}

export interface BolnaOutcome {
  status: 'completed' | 'no-answer' | 'busy' | 'failed';
  conversationS?: number;
  transcript?: string;
  summary?: string;
  extracted?: Record<string, unknown> | null;
  voicemail?: boolean;
  transferTo?: string;
}

export class BolnaFake extends HttpFake {
  readonly executions = new Map<string, Execution>();
  readonly agentWebhooks = new Map<string, string>();
  /** POST /call places the call at once but answers this much later (a client timing out first still rang someone). */
  placementAnswerDelayMs = 0;

  constructor(
    readonly apiKey: string,
    readonly agentIds: string[] = ['123e4567-e89b-12d3-a456-426655440000'],
  ) {
    super((req) => this.route(req));
  }

  private route(req: FakeRequest): FakeResponse | Promise<FakeResponse> {
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return { status: 401, body: 'Access denied' };
    const m = (re: RegExp) => re.exec(req.path);
    if (req.method === 'POST' && req.path === '/call') {
      const answer = this.placeCall(req);
      if (this.placementAnswerDelayMs <= 0) return answer;
      return new Promise<FakeResponse>((resolve) => setTimeout(() => resolve(answer), this.placementAnswerDelayMs));
    }
    let match = m(/^\/executions\/([^/]+)$/);
    if (req.method === 'GET' && match) {
      const ex = this.executions.get(match[1]);
      return ex ? json(200, ex.snapshot) : json(404, { error: 404, message: 'Execution not found' });
    }
    match = m(/^\/call\/([^/]+)\/stop$/);
    if (req.method === 'POST' && match) {
      const ex = this.executions.get(match[1]);
      if (!ex) return json(404, { error: 404, message: 'Execution not found' });
      if (!['queued', 'scheduled'].includes(ex.status))
        return json(400, { error: 400, message: 'Call already in progress' });
      this.setStatus(ex, 'stopped');
      return json(200, { message: 'done', status: 'stopped', execution_id: ex.id });
    }
    match = m(/^\/v2\/agent\/([^/]+)\/executions$/);
    if (req.method === 'GET' && match) return this.listExecutions(match[1], req);
    match = m(/^\/v2\/agent\/([^/]+)$/);
    if (match && req.method === 'PATCH') {
      if (!this.agentIds.includes(match[1])) return json(404, { error: 404, message: 'Agent not found' });
      const url = (JSON.parse(req.body) as { agent_config?: { webhook_url?: string } }).agent_config?.webhook_url;
      if (!url || !/^https?:\/\//.test(url))
        return json(400, { error: 400, message: 'agent_config.webhook_url must be a URL' });
      this.agentWebhooks.set(match[1], url);
      return json(200, { message: 'success', state: 'updated' });
    }
    if (match && req.method === 'GET') {
      if (match[1] === 'all')
        return json(
          200,
          this.agentIds.map((id) => ({ id, agent_name: 'Agent' })),
        );
      return this.agentIds.includes(match[1])
        ? json(200, { id: match[1] })
        : json(404, { error: 404, message: 'Agent not found' });
    }
    return json(404, { error: 404, message: 'Not found' });
  }

  /** GET /v2/agent/{id}/executions: newest first, rows trimmed to id, status, conversation_duration, created_at. */
  private listExecutions(agentId: string, req: FakeRequest): FakeResponse {
    if (!this.agentIds.includes(agentId)) return json(404, { error: 404, message: 'Agent not found' });
    const q = req.query;
    const pageSize = Math.min(50, Number(q.get('page_size') ?? 20));
    const page = Math.max(1, Number(q.get('page_number') ?? 1));
    const from = q.get('from') ? Date.parse(q.get('from')!) : Number.NEGATIVE_INFINITY;
    const all = [...this.executions.values()]
      .filter((ex) => ex.agentId === agentId && ex.createdAt >= from)
      .sort((a, b) => b.createdAt - a.createdAt);
    const data = all.slice((page - 1) * pageSize, page * pageSize).map((ex) => ({
      id: ex.id,
      status: ex.status,
      conversation_duration: ex.snapshot.conversation_duration ?? 0,
      created_at: new Date(ex.createdAt).toISOString(),
      telephony_data: { to_number: ex.to, provider: 'plivo' },
    }));
    return json(200, {
      page_number: page,
      page_size: pageSize,
      total: all.length,
      has_more: all.length > page * pageSize,
      data,
    });
  }

  private placeCall(req: FakeRequest): FakeResponse {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { error: 400, message: 'Invalid JSON' });
    }
    const agentId = body.agent_id;
    if (typeof agentId !== 'string' || !this.agentIds.includes(agentId))
      return json(400, { error: 400, message: 'Invalid agent_id' });
    if (typeof body.recipient_phone_number !== 'string' || !E164.test(body.recipient_phone_number)) {
      return json(400, { error: 400, message: 'Invalid recipient_phone_number' });
    }
    if (
      body.from_phone_number !== undefined &&
      (typeof body.from_phone_number !== 'string' || !E164.test(body.from_phone_number))
    ) {
      return json(400, { error: 400, message: 'Invalid from_phone_number' });
    }
    if (body.user_data !== undefined && (typeof body.user_data !== 'object' || body.user_data === null)) {
      return json(400, { error: 400, message: 'user_data must be an object' });
    }
    const id = randomUUID();
    const ex: Execution = {
      id,
      agentId,
      to: body.recipient_phone_number,
      from: (body.from_phone_number as string | undefined) ?? '+918035739222',
      userData: (body.user_data as Record<string, unknown>) ?? {},
      status: 'queued',
      createdAt: Date.now(),
      snapshot: {},
    };
    this.executions.set(id, ex);
    this.setStatus(ex, 'queued');
    return json(200, { message: 'done', status: 'queued', execution_id: id });
  }

  private setStatus(ex: Execution, status: string, outcome?: BolnaOutcome): Record<string, unknown> {
    ex.status = status;
    const base = fixture(
      status === 'busy' ? 'bolna-busy.json' : status === 'no-answer' ? 'bolna-no-answer.json' : 'bolna-completed.json',
    );
    const final = status === 'completed';
    const talked = outcome?.conversationS ?? 0;
    const telephony = base.telephony_data as Record<string, unknown>;
    ex.snapshot = {
      ...base,
      id: ex.id,
      agent_id: ex.agentId,
      status,
      conversation_duration: final ? talked : 0,
      answered_by_voice_mail: outcome?.voicemail ?? false,
      transcript: final || status === 'call-disconnected' ? (outcome?.transcript ?? '') : '',
      summary: final ? (outcome?.summary ?? null) : null,
      extracted_data: final ? (outcome?.extracted ?? null) : null,
      total_cost: final ? 6.84 : 0,
      context_details: { recipient_phone_number: ex.to, recipient_data: ex.userData },
      telephony_data: {
        ...telephony,
        to_number: ex.to,
        from_number: ex.from,
        duration: String(Math.round(talked + 5)),
        recording_url: final && talked > 0 ? `https://recordings.example/${ex.id}.mp3` : null,
      },
      transfer_call_data: outcome?.transferTo
        ? { to_number: outcome.transferTo, status: 'completed', provider_call_id: 'tr-1' }
        : null,
    };
    return ex.snapshot;
  }

  /** Moves an execution to a status and POSTs the snapshot to the agent's webhook; returns our server's answer. */
  async push(
    executionId: string,
    status: string,
    outcome?: BolnaOutcome,
  ): Promise<{ status: number; body: string; payload: string }> {
    const ex = this.executions.get(executionId);
    if (!ex) throw new Error(`no execution ${executionId}`);
    const url = this.agentWebhooks.get(ex.agentId);
    if (!url) throw new Error(`agent ${ex.agentId} has no webhook_url`);
    const payload = JSON.stringify(this.setStatus(ex, status, outcome));
    const res = await deliver(url, { body: payload, headers: { 'content-type': 'application/json' } });
    return { ...res, payload };
  }

  /** The statuses a real call goes through before its final one. */
  static readonly CONNECTED_FLOW = ['initiated', 'ringing', 'in-progress', 'call-disconnected'];
}
