import type { Socket } from 'node:net';
import type { Request } from 'express';
import { neverAborted, shareAbortListener } from '../time/deadline.js';

/** The signal of each client connection, made on its first request that asks for one. */
const signals = new WeakMap<Socket, AbortSignal>();

/**
 * A signal that aborts when the client of `req` goes away before being answered, for work that
 * is pointless once nobody waits for it (a partner call). It follows the connection: over
 * HTTP/1.1 a client gives up on a request only by closing its connection, so one signal serves
 * every request on it. Per connection, not per request: a new AbortSignal with a listener costs
 * 10–25 µs of CPU per call in Node.js 20 (`npm run bench:exchange`). The calls under way on it
 * share one listener (`shareAbortListener`), so pipelined requests raise no listener warning.
 * Once the connection closes, work still under way for it is aborted — also work for a request
 * something else has answered already (a timeout middleware), which can only leave a token
 * usable. Executors the app supplies get a signal of their own per call (`appExecutor`), so what
 * they leave listening never gathers here.
 */
export function clientGoneSignal(req: Request): AbortSignal {
  const socket = req.socket as Socket | undefined;
  // A request without a real connection (a test harness's fake socket) has nothing to listen to.
  if (typeof socket?.once !== 'function') return neverAborted;
  let signal = signals.get(socket);
  if (signal === undefined) {
    const controller = new AbortController();
    signal = controller.signal;
    signals.set(socket, signal);
    // A client that left while earlier middleware ran (loading the session) will see no 'close'.
    if (socket.destroyed) controller.abort();
    else {
      socket.once('close', () => controller.abort());
      shareAbortListener(signal);
    }
  }
  return signal;
}
