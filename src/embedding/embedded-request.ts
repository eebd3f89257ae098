import { readParameter, type RequestInfo } from '../request/request-info.js';

/** True when the handoff says `noChrome=true` (or `1`): render the portal without its header and navigation. */
export function wantsNoChrome(request: RequestInfo): boolean {
  return /^(true|1)$/i.test(readParameter(request, 'noChrome') ?? '');
}

/** Fetch Metadata destinations of a document loaded inside another page: a frame, an `<embed>` or `<object>`. */
const framedDestinations = new Set(['iframe', 'frame', 'fencedframe', 'embed', 'object']);

/**
 * True when a handoff is loaded inside another page, so its session needs the embedded cookie
 * (third-party cookies are blocked or partitioned there) and a frame policy. A browser says
 * what it loads (`Sec-Fetch-Dest`): `document` is a top-level navigation — `noChrome=true` then
 * only drops the chrome (a mobile webview, a partner app's new tab) and the app's own cookie
 * settings stay. A client that sends no `Sec-Fetch-Dest` and asks for `noChrome=true` is taken
 * for a frame, as the vendor's iframe parameter intends — browsers send Fetch Metadata only to
 * https and localhost origins, so over plain http elsewhere that is every browser.
 */
export function isEmbeddedRequest(request: RequestInfo): boolean {
  const destination = request.headers['sec-fetch-dest'];
  return typeof destination === 'string' ? framedDestinations.has(destination.toLowerCase()) : wantsNoChrome(request);
}
