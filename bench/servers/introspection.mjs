// The authorization server's introspection endpoint (RFC 7662), plain node:http like the partner
// validator: checks the client's Basic credentials, reads the form body and answers `active` for
// the tokens it issued — the hit variants' `at-…` and the miss variants' fresh `t-…` — and
// `{"active":false}` for any other.

export function start({ introspection }) {
  const { issuer, clientId, clientSecret } = introspection;
  const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const inactive = Buffer.from('{"active":false}');
  // One answer for every active token, renewed each minute so its `exp` stays an hour ahead.
  let active;
  const renew = () => {
    const now = Math.floor(Date.now() / 1000);
    active = Buffer.from(JSON.stringify({ active: true, sub: '1', scope: 'portal.read portal.write', client_id: 'bench-client', token_type: 'Bearer', iat: now, exp: now + 3600, iss: issuer }));
  };
  renew();
  setInterval(renew, 60_000).unref();

  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
  };
  const listener = (req, res) => {
    if (req.method !== 'POST' || req.headers.authorization !== expected) {
      req.resume();
      send(res, 401, Buffer.from('{"error":"invalid_client"}'));
      return;
    }
    let form = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (form += chunk));
    req.on('end', () => {
      const token = new URLSearchParams(form).get('token') ?? '';
      send(res, 200, token.startsWith('at-') || token.startsWith('t-') ? active : inactive);
    });
  };
  return { app: listener };
}
