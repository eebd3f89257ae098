import { describe, expect, it } from 'vitest';
import { ResponseTimeCover } from '../src/credentials/response-time-cover.js';

const timed = async (cover: ResponseTimeCover, name: string) => {
  const started = performance.now();
  await cover.wait(name);
  return performance.now() - started;
};

describe('ResponseTimeCover', () => {
  it('waits about as long as the real checks it recorded', async () => {
    const cover = new ResponseTimeCover(['only']);
    for (let i = 0; i < 5; i++) cover.record('only', 80);
    const waited = await timed(cover, 'unknown-org');
    expect(waited).toBeGreaterThanOrEqual(75);
    expect(waited).toBeLessThan(1_000);
  });

  it('draws every wait for one name from one tenant, so its timings are no mix of two', async () => {
    const cover = new ResponseTimeCover(['fast', 'slow']);
    for (let i = 0; i < 5; i++) {
      cover.record('fast', 1);
      cover.record('slow', 150);
    }
    for (const name of ['initech', 'umbrella', 'hooli']) {
      const waits = [];
      for (let i = 0; i < 4; i++) waits.push(await timed(cover, name));
      const slow = waits.filter((ms) => ms >= 140).length;
      expect([0, 4]).toContain(slow);
    }
  });

});
