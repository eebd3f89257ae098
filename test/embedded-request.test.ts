import { describe, expect, it } from 'vitest';
import { isEmbeddedRequest, wantsNoChrome } from '../src/embedding/embedded-request.js';
import type { RequestInfo } from '../src/request/request-info.js';

function request(overrides: Partial<RequestInfo> = {}): RequestInfo {
  return { method: 'GET', headers: {}, query: {}, body: undefined, ip: '203.0.113.7', ...overrides };
}

describe('wantsNoChrome', () => {
  it.each(['true', 'TRUE', 'True', '1'])('is true for noChrome=%s', (value) => {
    expect(wantsNoChrome(request({ query: { noChrome: value } }))).toBe(true);
  });

  it.each(['false', '0', 'yes', '', ' true', 'true ', 'true\n', '11', 'truex'])('is false for noChrome=%j', (value) => {
    expect(wantsNoChrome(request({ query: { noChrome: value } }))).toBe(false);
  });

  it('is false without the parameter, or with it repeated', () => {
    expect(wantsNoChrome(request())).toBe(false);
    expect(wantsNoChrome(request({ query: { noChrome: ['true', 'true'] } }))).toBe(false);
  });

  it('reads the body of a POST but not of a GET', () => {
    expect(wantsNoChrome(request({ method: 'POST', body: { noChrome: 'true' } }))).toBe(true);
    expect(wantsNoChrome(request({ method: 'GET', body: { noChrome: 'true' } }))).toBe(false);
  });
});

describe('isEmbeddedRequest', () => {
  it.each(['iframe', 'frame', 'fencedframe', 'embed', 'object', 'IFrame'])('is true when Sec-Fetch-Dest is %s', (destination) => {
    expect(isEmbeddedRequest(request({ headers: { 'sec-fetch-dest': destination } }))).toBe(true);
  });

  it('is false for a top-level navigation, even with noChrome=true (a webview or new tab keeps the app’s cookie)', () => {
    expect(isEmbeddedRequest(request({ headers: { 'sec-fetch-dest': 'document' }, query: { noChrome: 'true' } }))).toBe(false);
  });

  it.each(['empty', 'image', 'script', 'iframes', ''])('is false when Sec-Fetch-Dest is %j', (destination) => {
    expect(isEmbeddedRequest(request({ headers: { 'sec-fetch-dest': destination }, query: { noChrome: 'true' } }))).toBe(false);
  });

  it('takes a client without Fetch Metadata for a frame only when it asks for noChrome', () => {
    expect(isEmbeddedRequest(request({ query: { noChrome: 'true' } }))).toBe(true);
    expect(isEmbeddedRequest(request({ method: 'POST', body: { noChrome: '1' } }))).toBe(true);
    expect(isEmbeddedRequest(request())).toBe(false);
  });
});
