import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clock';
import { createTestCore } from '../support/core';
import { advanceUntil } from '../support/wait';
import { invoke } from '../sources/harness';

// Every field of a contact reaches the voice agent as a dynamic variable: name, number, the number as typed, email,
// time zone and the list's columns; the campaign's variable mapping renames and chooses them.

let core: ReturnType<typeof createTestCore>;
let clock: ManualClock;
beforeEach(() => {
  clock = new ManualClock(Date.UTC(2026, 4, 19, 6, 0, 0));
  core = createTestCore({ clock });
});
afterEach(async () => {
  await core.cleanup();
});

async function placedVariables(variableMapping: Record<string, string>): Promise<Record<string, string>> {
  const { listId } = await invoke(core, 'contacts.add', {
    listName: `COD ${Object.keys(variableMapping).length}`,
    contacts: [
      {
        name: 'Asha Rao',
        phone: '+91 98765 43210',
        email: 'asha@example.in',
        timezone: 'Asia/Kolkata',
        variables: { order_id: 'ORD-1001', amount: '₹499' },
      },
    ],
  });
  const campaign = await invoke(core, 'campaigns.create', {
    name: 'Variables',
    listIds: [listId],
    provider: 'simulator',
    voiceAgentId: null,
    settings: { ignoreWindow: true, variableMapping, simSpeed: 1000 },
    startAt: null,
  });
  await core.start();
  await invoke(core, 'campaigns.start', { id: campaign.id });
  const row = () =>
    core.db
      .prepare<[number], { variables_json: string }>('SELECT variables_json FROM calls WHERE campaign_id = ?')
      .get(campaign.id);
  await advanceUntil(clock, () => row() !== undefined, { stepMs: 100, what: 'the first attempt row' });
  return JSON.parse(row()!.variables_json) as Record<string, string>;
}

describe('dynamic variables', () => {
  it('passes every contact field, email included, and every column under its own name', async () => {
    expect(await placedVariables({})).toEqual({
      name: 'Asha Rao',
      phone: '+919876543210',
      phone_raw: '+91 98765 43210',
      email: 'asha@example.in',
      timezone: 'Asia/Kolkata',
      order_id: 'ORD-1001',
      amount: '₹499',
    });
  });

  it('renames and chooses them by the campaign’s variable mapping', async () => {
    expect(await placedVariables({ name: 'customer_name', email: 'customer_email', order_id: 'order' })).toEqual({
      customer_name: 'Asha Rao',
      customer_email: 'asha@example.in',
      order: 'ORD-1001',
    });
  });
});
