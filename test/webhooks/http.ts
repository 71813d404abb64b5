import { request as httpRequest } from 'node:http';
import { SIM_SIGNATURE_HEADER, signSimulatorBody } from '../../src/main/core/providers/simulator';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request on loopback (any method, any path, exact body bytes). */
export function send(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string | number>; body?: Buffer | string } = {},
): Promise<Reply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        method: options.method ?? 'POST',
        path: options.path ?? `${target.pathname}${target.search}`,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs a body signed the way the simulator signs its events. */
export function sendSigned(url: string, body: string | Buffer, key: string, timestampMs = Date.now()): Promise<Reply> {
  return send(url, {
    body,
    headers: { 'content-type': 'application/json', [SIM_SIGNATURE_HEADER]: signSimulatorBody(key, body, timestampMs) },
  });
}
