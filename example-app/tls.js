// A self-signed certificate for https://localhost, made with openssl on first start. The iframe
// demo needs https: an embedded session cookie must be Secure (and Partitioned).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyDirectory } from './sender-keys.js';

/** `{ key, cert }` for https.createServer, or undefined when openssl is not available. */
export function localhostCertificate() {
  const key = join(keyDirectory, 'localhost-key.pem');
  const cert = join(keyDirectory, 'localhost-cert.pem');
  if (!existsSync(cert)) {
    mkdirSync(keyDirectory, { recursive: true });
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '365',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', key, '-out', cert,
      ], { stdio: 'ignore' });
    } catch {
      return undefined;
    }
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}
