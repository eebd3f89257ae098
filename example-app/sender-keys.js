// The partner's signing key for signed sender tokens ("InfoShareToken"). A real partner keeps its
// private key to itself and gives the portal its certificate; the demo makes a key pair on first
// start and keeps it in example-app/.keys/ (git-ignored) so the CLI can sign with it too.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const keyDirectory = join(dirname(fileURLToPath(import.meta.url)), '.keys');
export const senderPrivateKeyPath = join(keyDirectory, 'sender-private-key.pem');
const senderPublicKeyPath = join(keyDirectory, 'sender-public-key.pem');

/** The demo sender's key pair as PEM, created on first use. */
export function senderKeys() {
  if (!existsSync(senderPrivateKeyPath)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    mkdirSync(keyDirectory, { recursive: true });
    writeFileSync(senderPrivateKeyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    writeFileSync(senderPublicKeyPath, publicKey.export({ format: 'pem', type: 'spki' }));
  }
  return { privateKey: readFileSync(senderPrivateKeyPath, 'utf8'), publicKey: readFileSync(senderPublicKeyPath, 'utf8') };
}
