import type { RecordingCredentials } from './exotel-recording';

// A recording URL may carry its credentials in the address (http://key:token@host/…). fetch() refuses such URLs,
// and the address would put them into every log, stored error and answer that names it. So they are taken out on
// arrival: the job keeps the bare URL, the credentials go to the encrypted secret store until the download, and
// they are sent as an Authorization header, to hosts allowed to receive credentials only.

export interface SplitUrl {
  /** The URL without user name and password. */
  url: string;
  credentials: RecordingCredentials | null;
}

export function splitUrlCredentials(raw: string): SplitUrl {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { url: raw, credentials: null };
  }
  if (!parsed.username && !parsed.password) return { url: raw, credentials: null };
  const credentials = {
    apiKey: decodeURIComponent(parsed.username),
    apiToken: decodeURIComponent(parsed.password),
  };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, credentials };
}

/** The secret-store name of a job's URL credentials. */
export const urlCredentialsSecret = (jobId: number): string => `recordings.url_credentials.${jobId}`;

export function encodeCredentials(credentials: RecordingCredentials): string {
  return JSON.stringify(credentials);
}

export function decodeCredentials(stored: string | undefined): RecordingCredentials | null {
  if (!stored) return null;
  const value = JSON.parse(stored) as Partial<RecordingCredentials>;
  return typeof value.apiKey === 'string' && typeof value.apiToken === 'string'
    ? { apiKey: value.apiKey, apiToken: value.apiToken }
    : null;
}
