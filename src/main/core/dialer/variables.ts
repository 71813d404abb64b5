import type { CampaignSettings, ContactField } from '@shared/domain';
import type { DialTarget } from '../store/repositories/dialer';

/**
 * The dynamic variables a call is placed with: every field of the contact (name, phone, the number as typed, email,
 * time zone) and every column of its list, renamed and chosen by the campaign's variable mapping when it has one.
 * Empty values are left out, so the voice agent's own defaults apply.
 */
export function dialVariables(
  settings: Pick<CampaignSettings, 'variableMapping'>,
  target: Pick<DialTarget, 'name' | 'phone' | 'phone_raw' | 'email' | 'timezone' | 'variables_json'>,
): Record<string, string> {
  const fields: Record<ContactField, string | null> = {
    name: target.name,
    phone: target.phone,
    phone_raw: target.phone_raw,
    email: target.email,
    timezone: target.timezone,
  };
  const base: Record<string, string> = { ...(JSON.parse(target.variables_json) as Record<string, string>) };
  for (const [field, value] of Object.entries(fields)) if (value) base[field] = value;
  const mapping = settings.variableMapping;
  if (Object.keys(mapping).length === 0) return base;
  const out: Record<string, string> = {};
  for (const [field, as] of Object.entries(mapping)) if (base[field] !== undefined) out[as] = base[field];
  return out;
}
