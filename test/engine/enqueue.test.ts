import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contacts,
  invoke,
  seedSheet,
  serviceAccountKey,
  SHEET_ID,
  SHEET_URL,
  startHarness,
  type Harness,
} from '../sources/harness';

// Contacts join a campaign's queue through several doors: the campaign's lists (create, start, resume, re-run), call
// now / add to campaign, and rows new to a connected Google Sheet. Every door applies the same rules.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function queue(campaignId: number): { name: string; state: string; reason: string | null }[] {
  return h.core.db
    .prepare<[number], { name: string; state: string; reason: string | null }>(
      `SELECT c.name, cc.state, cc.excluded_reason AS reason FROM campaign_contacts cc JOIN contacts c ON c.id = cc.contact_id
       WHERE cc.campaign_id = ? ORDER BY c.id`,
    )
    .all(campaignId);
}

describe('one enqueue path', () => {
  it('a sheet row, a list and call now are held to the same number, callable and do-not-call rules', async () => {
    const walkIns = await invoke(h.core, 'contacts.add', {
      listName: 'Walk-ins',
      contacts: [
        { name: 'Asha Rao', phone: '+91 98765 43210', variables: {} },
        { name: 'Dev Shah', phone: '+91 98765 43220', variables: {} },
      ],
    });
    await invoke(h.core, 'dnc.add', { phones: ['+919876543299'], reason: 'asked by phone' });

    seedSheet(h.fake, [['Kabir Khan', '+919876543213']]);
    const credential = await invoke(h.core, 'sources.google.addServiceAccount', {
      content: serviceAccountKey().json,
    });
    const { connection } = await invoke(h.core, 'sources.sheets.connect', {
      url: SHEET_URL,
      credentialId: credential.id,
      defaultCountry: 'IN',
      pollIntervalMs: 60_000,
    });
    const campaign = await invoke(h.core, 'campaigns.create', {
      name: 'Both lists',
      listIds: [walkIns.listId, connection.listId],
      provider: 'simulator',
      voiceAgentId: null,
      settings: { ignoreWindow: true },
      startAt: null,
    });
    expect(queue(campaign.id)).toEqual([
      { name: 'Asha Rao', state: 'pending', reason: null },
      { name: 'Dev Shah', state: 'pending', reason: null },
      { name: 'Kabir Khan', state: 'pending', reason: null },
    ]);

    // New rows in the sheet: one with Asha's number, one on the do-not-call list, one that may be called.
    h.fake
      .tab(SHEET_ID, 'Leads')
      .rows.push(['Asha (sheet)', '+919876543210'], ['Zara Ali', '+919876543299'], ['Ravi Kumar', '+919876543214']);
    expect(await invoke(h.core, 'sources.sheets.sync', { id: connection.id })).toMatchObject({ added: 3 });
    expect(queue(campaign.id)).toEqual([
      { name: 'Asha Rao', state: 'pending', reason: null },
      { name: 'Dev Shah', state: 'pending', reason: null },
      { name: 'Kabir Khan', state: 'pending', reason: null },
      { name: 'Asha (sheet)', state: 'excluded', reason: 'same number as another contact in this campaign' },
      { name: 'Zara Ali', state: 'excluded', reason: 'do-not-call list (manual: asked by phone)' },
      { name: 'Ravi Kumar', state: 'pending', reason: null },
    ]);

    // Call now into the campaign: contacts from another list, one with Kabir's number, one on the do-not-call list.
    const others = await invoke(h.core, 'contacts.add', {
      listName: 'Referrals',
      contacts: [
        { name: 'Kabir (referral)', phone: '+91 98765 43213', variables: {} },
        { name: 'Zara (referral)', phone: '+91 98765 43299', variables: {} },
        { name: 'Nisha Iyer', phone: '+91 98765 43215', variables: {} },
      ],
    });
    const ids = contacts(h.core, others.listId).map((c) => c.id);
    const { queued } = await invoke(h.core, 'campaigns.callNow', {
      contactIds: ids,
      campaignId: campaign.id,
      provider: 'simulator',
      voiceAgentId: null,
      settings: {},
    });
    expect(queued).toBe(1);
    expect(queue(campaign.id).slice(6)).toEqual([
      { name: 'Kabir (referral)', state: 'excluded', reason: 'same number as another contact in this campaign' },
      { name: 'Zara (referral)', state: 'excluded', reason: 'do-not-call list (manual: asked by phone)' },
      { name: 'Nisha Iyer', state: 'pending', reason: null },
    ]);

    // Dev goes on the do-not-call list after he was queued; call now does not bring him forward, and the campaign's
    // own lists, resumed, queue nobody twice.
    await invoke(h.core, 'dnc.add', { phones: ['+919876543220'] });
    const dev = contacts(h.core, walkIns.listId).find((c) => c.name === 'Dev Shah')!;
    expect(
      (
        await invoke(h.core, 'campaigns.callNow', {
          contactIds: [dev.id],
          campaignId: campaign.id,
          provider: 'simulator',
          voiceAgentId: null,
          settings: {},
        })
      ).queued,
    ).toBe(0);
    await invoke(h.core, 'campaigns.pause', { id: campaign.id });
    await invoke(h.core, 'campaigns.resume', { id: campaign.id });
    expect(queue(campaign.id)).toHaveLength(9);
  });
});
