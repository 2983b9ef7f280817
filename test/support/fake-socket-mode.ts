import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

/** The envelope types Slack sends over Socket Mode (https://api.slack.com/apis/connections/socket-implement). */
export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

/** What the app sent back for an envelope: `{envelope_id, payload?}`. */
export interface Acknowledgement {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

const APP_ID = 'A0FAKEAPP';
const ACK_TIMEOUT_MS = 10_000;
// Slack pings every few seconds; the SDK closes a connection that has not been pinged for 30 s.
const PING_INTERVAL_MS = 5_000;

/**
 * A stand-in for Slack's Socket Mode, on the fake Web API's own port: `apps.connections.open` (answered by
 * FakeSlack with `open()`) hands out a one-use `ws://127.0.0.1/link/?ticket=…` URL; a client connecting
 * there gets `hello`, then the envelopes `deliver()` sends, each of which it must acknowledge by envelope_id.
 */
export class FakeSocketMode {
  /** Every acknowledgement received, in order. */
  readonly acks: Acknowledgement[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly waiting = new Map<string, (ack: Acknowledgement) => void>();
  private readonly sockets = new Set<WebSocket>();
  private readonly connectedListeners: (() => void)[] = [];

  constructor(
    server: Server,
    private readonly origin: () => string,
  ) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** The answer to `apps.connections.open`, which only an app-level token may call. */
  open(token: string | undefined): Record<string, unknown> {
    if (!token) return { ok: false, error: 'not_authed' };
    if (!token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return { ok: true, url: `${this.origin().replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${APP_ID}` };
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Resolves once a client is connected (has been sent `hello`). */
  connected(): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.connectedListeners.push(resolve));
  }

  /** Sends one envelope to a connected client; resolves with its acknowledgement, rejects if none comes. */
  async deliver(type: EnvelopeType, payload: Record<string, unknown>): Promise<Acknowledgement> {
    const [socket] = this.sockets;
    if (!socket) throw new Error('fake Socket Mode: no client is connected');
    const envelopeId = randomUUID();
    const acknowledged = new Promise<Acknowledgement>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelopeId);
        reject(new Error(`fake Socket Mode: envelope ${envelopeId} (${type}) was not acknowledged`));
      }, ACK_TIMEOUT_MS);
      this.waiting.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        // Slack accepts a response payload in the ack of slash commands (and view submissions), not of events.
        accepts_response_payload: type === 'slash_commands',
        ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
      }),
    );
    return acknowledged;
  }

  /** Slack's `disconnect` message (e.g. `refresh_requested`): the client is expected to reconnect. */
  requestRefresh(): void {
    for (const socket of this.sockets) {
      socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake' } }));
    }
  }

  close(): void {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    const ping = setInterval(() => ws.ping(), PING_INTERVAL_MS);
    ws.on('message', (data) => this.receive(String(data)));
    ws.on('close', () => {
      clearInterval(ping);
      this.sockets.delete(ws);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: APP_ID },
      }),
    );
    for (const listener of this.connectedListeners.splice(0)) listener();
  }

  private receive(text: string): void {
    let message: Acknowledgement;
    try {
      message = JSON.parse(text) as Acknowledgement;
    } catch {
      return;
    }
    this.acks.push(message);
    this.waiting.get(message.envelope_id)?.(message);
    this.waiting.delete(message.envelope_id);
  }
}
