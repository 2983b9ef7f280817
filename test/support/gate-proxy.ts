import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP pass-through that can hold every request while closed: a way to catch a client mid-flight
 * (e.g. an investigation between two API calls) without knowing anything about the API behind it.
 */
export class GateProxy {
  private open = true;
  private holds: (req: IncomingMessage) => boolean = () => true;
  private refusing = false;
  private waiting: (() => void)[] = [];
  private held = 0;
  private readonly server: Server;
  /** The target's path (an API server under a route prefix): the gate's URL has it too, and paths pass unchanged. */
  private readonly path: string;

  private constructor(target: string) {
    const upstream = new URL(target);
    this.path = upstream.pathname.replace(/\/$/, '');
    this.server = createServer((req, res) => {
      const forward = () => {
        const proxied = request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        proxied.on('error', () => res.destroy());
        req.pipe(proxied);
      };
      if (this.refusing) req.socket.destroy();
      else if (this.open || !this.holds(req)) forward();
      else {
        this.held += 1;
        this.waiting.push(forward);
      }
    });
  }

  static async start(target: string): Promise<GateProxy> {
    const proxy = new GateProxy(target);
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
  }

  /** Requests held since the gate closed. */
  get heldCount(): number {
    return this.held;
  }

  /** Holds every request from now on, or only those `holds` picks (e.g. the real write, not its dry run). */
  close(holds: (req: IncomingMessage) => boolean = () => true): void {
    this.holds = holds;
    this.open = false;
  }

  /** Drops the connection of every request from now on, as an unreachable API server would; `false` ends it. */
  refuse(refusing = true): void {
    this.refusing = refusing;
  }

  /** Lets held and future requests through. */
  release(): void {
    this.open = true;
    for (const forward of this.waiting.splice(0)) forward();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
