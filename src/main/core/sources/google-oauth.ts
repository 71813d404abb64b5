import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@googleapis/sheets';
import type { Clock, TimerHandle } from '../platform';
import {
  OAuthClientJson,
  parseJsonFile,
  redirectTokenRequests,
  SHEETS_SCOPE,
  toSheetsError,
  type GoogleEndpoints,
} from './google-sheets';

// Desktop OAuth ("installed app"): a one-shot listener on 127.0.0.1 receives Google's redirect, the code is
// exchanged with PKCE, and the refresh token is handed to the caller to store encrypted. Nothing else is served.

const FLOW_TIMEOUT_MS = 10 * 60_000;

export interface OAuthGrant {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

interface Flow<T> {
  state: 'waiting' | 'done' | 'failed';
  error: string | null;
  result: T | null;
  server: Server;
  timer: TimerHandle;
}

export class OAuthFlows<T> {
  private readonly flows = new Map<string, Flow<T>>();

  constructor(
    private readonly deps: {
      endpoints: GoogleEndpoints;
      clock: Clock;
      /** Stores the grant (encrypted) and returns what the caller should see (a credential record). */
      onGrant(grant: OAuthGrant): T;
    },
  ) {}

  async start(clientJson: string): Promise<{ flowId: string; authUrl: string; redirectUri: string }> {
    const client = parseJsonFile(clientJson, OAuthClientJson, 'OAuth client file');
    const flowId = randomBytes(12).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2callback`;
    const oauth = new auth.OAuth2({
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri,
      endpoints: this.deps.endpoints.authUrl ? { oauth2AuthBaseUrl: this.deps.endpoints.authUrl } : undefined,
    });
    redirectTokenRequests(oauth, this.deps.endpoints.tokenUrl);
    const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
    const authUrl = oauth.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: [SHEETS_SCOPE],
      state,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256' as never,
    });

    const flow: Flow<T> = {
      state: 'waiting',
      error: null,
      result: null,
      server,
      timer: this.deps.clock.setTimeout(
        () => this.finish(flowId, 'failed', 'No answer from the browser within 10 minutes; start again.'),
        FLOW_TIMEOUT_MS,
      ),
    };
    flow.timer.unref?.();
    this.flows.set(flowId, flow);

    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (url.pathname !== '/oauth2callback' || flow.state !== 'waiting') {
        res.writeHead(404).end();
        return;
      }
      const page = (status: number, text: string) => {
        res.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'",
        });
        res.end(`<!doctype html><meta charset="utf-8"><title>Call Console</title><p>${text}</p>`);
      };
      if (url.searchParams.get('state') !== state)
        return page(400, 'This sign-in link is not the one the console started. Start again from the console.');
      const denied = url.searchParams.get('error');
      const code = url.searchParams.get('code');
      if (denied || !code) {
        page(400, 'Access was not granted. You can close this tab and try again from the console.');
        return this.finish(flowId, 'failed', `Google sign-in was not completed (${denied ?? 'no code'}).`);
      }
      oauth.getToken({ code, codeVerifier }).then(
        ({ tokens }) => {
          if (!tokens.refresh_token)
            throw new Error(
              'Google returned no refresh token; remove the app from your Google account permissions and sign in again.',
            );
          const result = this.deps.onGrant({
            clientId: client.client_id,
            clientSecret: client.client_secret,
            refreshToken: tokens.refresh_token,
          });
          page(200, 'Signed in. You can close this tab and return to the console.');
          this.finish(flowId, 'done', null, result);
        },
        (err: unknown) => {
          page(500, 'Signing in failed. Return to the console for details.');
          this.finish(flowId, 'failed', toSheetsError(err).message);
        },
      );
    });
    return { flowId, authUrl, redirectUri };
  }

  status(flowId: string): { state: Flow<T>['state']; error: string | null; result: T | null } | undefined {
    const flow = this.flows.get(flowId);
    return flow ? { state: flow.state, error: flow.error, result: flow.result } : undefined;
  }

  async stop(): Promise<void> {
    for (const id of this.flows.keys()) this.finish(id, 'failed', 'The console closed.');
  }

  private finish(flowId: string, state: 'done' | 'failed', error: string | null, result: T | null = null): void {
    const flow = this.flows.get(flowId);
    if (!flow || flow.state !== 'waiting') return;
    flow.state = state;
    flow.error = error;
    flow.result = result;
    this.deps.clock.clearTimeout(flow.timer);
    // Lets the answer page finish sending, then stops listening.
    flow.server.close();
  }
}
