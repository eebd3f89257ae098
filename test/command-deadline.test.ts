import { describe, expect, it } from 'vitest';
import { maxCommandTimeoutMs } from '../src/config/command-deadline.js';
import { commandDefinitionSchema } from '../src/config/command-schema.js';
import { httpOptionsSchema } from '../src/destination/http-options.js';

describe('maxCommandTimeoutMs', () => {
  it('bounds every deadline a command may have: http.timeoutMs and a command’s own', () => {
    expect(httpOptionsSchema.safeParse({ timeoutMs: maxCommandTimeoutMs }).success).toBe(true);
    expect(httpOptionsSchema.safeParse({ timeoutMs: maxCommandTimeoutMs + 1 }).success).toBe(false);
    const command = (timeoutMs: number) => commandDefinitionSchema.safeParse({ url: 'https://partner.example/v', timeoutMs }).success;
    expect(command(maxCommandTimeoutMs)).toBe(true);
    expect(command(maxCommandTimeoutMs + 1)).toBe(false);
    expect(commandDefinitionSchema.safeParse({ run: () => null, timeoutMs: maxCommandTimeoutMs + 1 }).success).toBe(false);
  });
});
