import { StepError, hostOf, networkReason } from './http';

// Downloads a call recording. Exotel serves recordings behind the account's API credentials (HTTP Basic); those are
// sent only to hosts the user allows (Exotel's by default), never to whatever host a posted record names.

export interface RecordingCredentials {
  apiKey: string;
  apiToken: string;
}

export const MAX_RECORDING_BYTES = 200 * 1024 * 1024;

export function credentialsApply(url: string, allowedHosts: string[]): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowedHosts.some((h) => {
    const allowed = h.trim().toLowerCase();
    return allowed !== '' && (host === allowed || host.endsWith(`.${allowed}`));
  });
}

export async function downloadRecording(
  url: string,
  credentials: RecordingCredentials | null,
  timeoutMs: number,
): Promise<{ bytes: Buffer; contentType: string }> {
  const headers: Record<string, string> = {};
  if (credentials) {
    headers.authorization = `Basic ${Buffer.from(`${credentials.apiKey}:${credentials.apiToken}`).toString('base64')}`;
  }
  const where = `the recording on ${hostOf(url)}`;
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new StepError('transient', `Could not download ${where}: ${networkReason(err)}.`);
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new StepError(
      'permanent',
      credentials
        ? `Exotel refused the credentials for ${where} (HTTP ${res.status}). Check the Exotel API key and token, then Retry.`
        : `${where} needs credentials (HTTP ${res.status}). Add the Exotel API key and token and, if the host is not Exotel's, add it to the hosts allowed to receive them; then Retry.`,
    );
  }
  // Exotel publishes the file a little after the call ends: a 404 is worth a few more tries.
  if (res.status === 404 || res.status === 429 || res.status >= 500) {
    await res.body?.cancel();
    throw new StepError('transient', `Could not download ${where} (HTTP ${res.status}).`);
  }
  if (res.status < 200 || res.status >= 300) {
    await res.body?.cancel();
    throw new StepError(
      'permanent',
      `Could not download ${where} (HTTP ${res.status}). Check the recording URL, then Retry.`,
    );
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RECORDING_BYTES) {
    await res.body?.cancel();
    throw new StepError(
      'permanent',
      `${where} is ${Math.round(declared / 1e6)} MB, over the ${MAX_RECORDING_BYTES / 1e6} MB limit.`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.byteLength;
      if (size > MAX_RECORDING_BYTES)
        throw new StepError('permanent', `${where} is over the ${MAX_RECORDING_BYTES / 1e6} MB limit.`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError('transient', `The download of ${where} broke off: ${networkReason(err)}.`);
  }
  if (size === 0) throw new StepError('transient', `${where} was empty (the file may not be ready yet).`);
  return { bytes: Buffer.concat(chunks), contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
}
