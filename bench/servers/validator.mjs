// The partner: plain node:http (no framework cost), reads the body, vouches for contact 1.

const answer = Buffer.from('{"ContactId":"1"}');

export function start() {
  const listener = (req, res) => {
    req.resume(); // the body is read, not parsed: any token is good
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
      res.end(answer);
    });
  };
  return { app: listener };
}
