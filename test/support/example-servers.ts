import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// The example app is plain JavaScript importing 'login-with-token' by name, as a user would.
import { createPartner } from '../../example-app/partner.js';
import { createPortal } from '../../example-app/portal.js';
import { generateKeyPairSync } from 'node:crypto';

/** The example portal and partner simulator on ephemeral loopback ports. */
export interface ExampleServers {
  portalOrigin: string;
  partnerOrigin: string;
  portal: import('express').Express;
  partner: import('express').Express;
  logLines: string[];
  senderPrivateKey: string;
  close(): Promise<void>;
}

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts both example apps the way `npm start` does, on random ports. */
export async function startExampleServers(): Promise<ExampleServers> {
  const portalServer = createServer();
  const partnerServer = createServer();
  const portalOrigin = `http://localhost:${await listen(portalServer, '127.0.0.1')}`;
  const partnerOrigin = `http://127.0.0.1:${await listen(partnerServer, '127.0.0.1')}`;
  const logLines: string[] = [];
  const partnerApiKey = 'example-partner-api-key';
  const sender = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const senderPrivateKey = sender.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const senderPublicKey = sender.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const { app: portal } = createPortal({ partnerOrigin, partnerApiKey, senderPublicKey, log: (line: string) => logLines.push(line) });
  const { app: partner } = createPartner({ portalOrigin, partnerOrigin, partnerApiKey, senderPrivateKey });
  portalServer.on('request', portal);
  partnerServer.on('request', partner);
  return {
    portalOrigin,
    partnerOrigin,
    portal,
    partner,
    logLines,
    senderPrivateKey,
    async close() {
      portalServer.closeAllConnections();
      partnerServer.closeAllConnections();
      await Promise.all([new Promise((r) => portalServer.close(r)), new Promise((r) => partnerServer.close(r))]);
    },
  };
}
