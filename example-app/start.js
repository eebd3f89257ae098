// npm start: the example portal and the partner simulator, both in memory.
import { randomBytes } from 'node:crypto';
import { createPartner } from './partner.js';
import { createPortal } from './portal.js';
import { senderKeys, senderPrivateKeyPath } from './sender-keys.js';

const portalPort = Number(process.env.PORTAL_PORT ?? 3000);
const partnerPort = Number(process.env.PARTNER_PORT ?? 4000);
// Different host names make the two apps different sites, as in real life.
const portalOrigin = `http://localhost:${portalPort}`;
const partnerOrigin = `http://127.0.0.1:${partnerPort}`;
const partnerApiKey = process.env.PARTNER_API_KEY ?? randomBytes(16).toString('hex');

const sender = senderKeys();

const { app: portal } = createPortal({ partnerOrigin, partnerApiKey, senderPublicKey: sender.publicKey, sessionSecret: process.env.SESSION_SECRET });
const { app: partner } = createPartner({ portalOrigin, partnerOrigin, partnerApiKey, senderPrivateKey: sender.privateKey });

portal.listen(portalPort, 'localhost', () => {
  partner.listen(partnerPort, '127.0.0.1', () => {
    console.log(`Portal:  ${portalOrigin}/`);
    console.log(`Partner: ${partnerOrigin}/   ← open this and click a link`);
    console.log(`Sender key for "login-with-token sign-token --key": ${senderPrivateKeyPath}`);
  });
});
