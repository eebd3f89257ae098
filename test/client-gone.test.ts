import { EventEmitter } from 'node:events';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { clientGoneSignal } from '../src/adapters/client-gone.js';

const requestOn = (socket: unknown) => ({ socket }) as unknown as Request;
const socket = (destroyed = false) => Object.assign(new EventEmitter(), { destroyed });

describe('clientGoneSignal', () => {
  it('is one signal per connection, aborted when the connection closes', () => {
    const connection = socket();
    const signal = clientGoneSignal(requestOn(connection));
    expect(clientGoneSignal(requestOn(connection))).toBe(signal);
    expect(clientGoneSignal(requestOn(socket()))).not.toBe(signal);
    expect(signal.aborted).toBe(false);
    connection.emit('close');
    expect(signal.aborted).toBe(true);
  });

  it('is aborted already for a connection that closed before the route ran', () => {
    expect(clientGoneSignal(requestOn(socket(true))).aborted).toBe(true);
  });

  it('never aborts for a request without a connection', () => {
    expect(clientGoneSignal(requestOn(undefined)).aborted).toBe(false);
  });
});
