import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the partner server received it, byte for byte. */
export interface ReceivedRequest {
  method: string;
  /** The raw request target, undecoded (`/validate?token=a%26b`). */
  url: string;
  headers: IncomingHttpHeaders;
  /** Header names and values exactly as sent, in order. */
  rawHeaders: string[];
  body: string;
}

/** Decides how the partner answers one request. */
export type PartnerBehaviour = (request: ReceivedRequest, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 standing in for a partner's validation service. */
export interface PartnerServer {
  readonly origin: string;
  readonly received: ReceivedRequest[];
  /** Sockets ever opened to the server (keep-alive reuse keeps this low). */
  readonly connectionCount: () => number;
  /** Sockets open right now. */
  readonly openConnections: () => number;
  behave(behaviour: PartnerBehaviour): void;
  close(): Promise<void>;
}

/** Answers `body` as JSON with `status`. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** Starts a partner server; by default it accepts every token as ContactId 1001. */
export async function startPartnerServer(behaviour: PartnerBehaviour = (_r, res) => json(res, 200, { ContactId: 1001 })): Promise<PartnerServer> {
  let current = behaviour;
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      Promise.resolve(current(request, res, req)).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    connectionCount: () => connections,
    openConnections: () => sockets.size,
    behave(next) {
      current = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
