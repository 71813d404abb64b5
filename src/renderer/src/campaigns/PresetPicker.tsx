import { CAMPAIGN_PRESETS, type CampaignPreset, type CampaignSettings } from '@shared/domain';

/** Starts the campaign form from a preset (the Sheet dialer: one call at a time, 5 s apart, 10-minute retries). */
export function PresetPicker({ onPick }: { onPick(settings: Partial<CampaignSettings>): void }) {
  return (
    <div className="preset-picker" role="group" aria-label="Campaign presets">
      {(Object.keys(CAMPAIGN_PRESETS) as CampaignPreset[]).map((key) => {
        const preset = CAMPAIGN_PRESETS[key];
        return (
          <button
            key={key}
            type="button"
            onClick={() => onPick({ ...preset.settings, retryDelaysMs: [...preset.settings.retryDelaysMs] })}
            title="One call at a time, 5 s between calls, retries after 10 minutes, and keep watching the sheet for new rows"
          >
            Use the {preset.label} preset
          </button>
        );
      })}
    </div>
  );
}
