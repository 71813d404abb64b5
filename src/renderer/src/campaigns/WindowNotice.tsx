import type { Campaign, CampaignProgress } from '@shared/domain';
import { timeInZone, untilText } from '@shared/time/format';

/**
 * "waiting for the calling window — opens 09:00 IST (in 18 min)": a running campaign whose next contacts wait for
 * their window, with the opening in that contact's zone. Nothing when the campaign is not waiting for it.
 */
export function WindowNotice({
  campaign,
  progress,
  now,
  liveCalls,
}: {
  campaign: Campaign;
  progress: CampaignProgress | undefined;
  now: number;
  /** Calls of this campaign live now: a campaign still calling someone is not waiting. */
  liveCalls: number;
}) {
  const opens = progress?.windowOpens;
  if (campaign.state !== 'running' || !opens || liveCalls > 0 || opens.at <= now) return null;
  return (
    <p className="window-notice" role="status" aria-label={`${campaign.name}: waiting for the calling window`}>
      <strong>{campaign.name}</strong>: waiting for the calling window — opens {timeInZone(opens.at, opens.zone)} (
      {untilText(opens.at, now)})
    </p>
  );
}
