import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHostProcess, type HostProcess } from '../ui/web-host-process';
import { tempDir } from '../support/core';
import { openPageSocket, pageCall } from './page-socket';

// Malformed frames at the built web host (a real child process): each one closes only its own connection, with the
// WebSocket close code that names the fault, and the host goes on serving (the dialer and webhooks live in it).

const data = tempDir('web-frames-');
let host: HostProcess;
let url: URL;

beforeAll(async () => {
  host = await startHostProcess(data.dir);
  url = new URL(host.url);
});
afterAll(async () => {
  await host.stop();
  data.cleanup();
});

/** A masked client frame written straight to the socket, bypassing the client library's own checks. */
function rawFrame(opcode: number, payload: Buffer, declaredLength = payload.length): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  let header: Buffer;
  if (declaredLength < 126) header = Buffer.from([0x80 | opcode, 0x80 | declaredLength]);
  else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(declaredLength), 2);
  }
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([header, mask, masked]);
}

async function closeCodeAfter(frame: Buffer): Promise<number> {
  const ws = await openPageSocket(url);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  (ws as unknown as { _socket: Socket })._socket.write(frame);
  return closed;
}

describe('malformed WebSocket frames', () => {
  it('closes a text frame that is not UTF-8 with 1007 and keeps serving', async () => {
    expect(await closeCodeAfter(rawFrame(0x1, Buffer.from([0xff, 0xfe, 0xfd, 0xfc])))).toBe(1007);
    const ws = await openPageSocket(url);
    try {
      expect(await pageCall(ws, 'app.info', {})).toMatchObject({ ok: true });
    } finally {
      ws.close();
    }
  });

  it('closes a message over the size limit with 1009 and keeps serving', async () => {
    expect(await closeCodeAfter(rawFrame(0x1, Buffer.alloc(0), 200 * 1024 * 1024))).toBe(1009);
    expect(await closeCodeAfter(rawFrame(0x3, Buffer.from('x')))).toBe(1002);
    const ws = await openPageSocket(url);
    try {
      expect(await pageCall(ws, 'app.info', {})).toMatchObject({ ok: true });
    } finally {
      ws.close();
    }
    expect(host.output()).toContain('WebSocket connection closed');
  });

  it('leaves other pages connected while one sends garbage', async () => {
    const bystander = await openPageSocket(url);
    try {
      expect(await closeCodeAfter(rawFrame(0x1, Buffer.from([0xc3, 0x28])))).toBe(1007);
      expect(bystander.readyState).toBe(WebSocket.OPEN);
      expect(await pageCall(bystander, 'app.info', {})).toMatchObject({ ok: true });
    } finally {
      bystander.close();
    }
  });
});
