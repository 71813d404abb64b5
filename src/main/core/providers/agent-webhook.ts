/**
 * Remembers which webhook URL each provider agent was pointed at, so calls placed together share one PATCH per URL,
 * a new public URL PATCHes again, and a failed PATCH is retried by the next call instead of being remembered.
 */
export class AgentWebhookPointer {
  private readonly pointed = new Map<string, { url: string; done: Promise<void> }>();
  constructor(private readonly patch: (voiceAgentId: string, url: string) => Promise<unknown>) {}

  /** PATCH now (the public URL changed). */
  async point(voiceAgentId: string, url: string): Promise<void> {
    const done = this.patch(voiceAgentId, url).then(() => undefined);
    this.pointed.set(voiceAgentId, { url, done });
    try {
      await done;
    } catch (err) {
      if (this.pointed.get(voiceAgentId)?.done === done) this.pointed.delete(voiceAgentId);
      throw err;
    }
  }

  /** PATCH unless this agent already points (or is being pointed) at this URL. */
  ensure(voiceAgentId: string, url: string): Promise<void> {
    const current = this.pointed.get(voiceAgentId);
    return current?.url === url ? current.done : this.point(voiceAgentId, url);
  }
}
