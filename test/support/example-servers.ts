import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import express from 'express';
import { captureText } from './leak-capture.js';
import { captureResponses } from './portal-app.js';
import type { AddressInfo } from 'node:net';
// The example app is plain JavaScript importing 'login-with-token' by name, as a user would.
import { createPartner } from '../../example-app/partner.js';
import { createPortal } from '../../example-app/portal.js';
import { generateKeyPairSync } from 'node:crypto';

/** The example portal and partner simulator on ephemeral loopback ports. */
export interface ExampleServers {
  portalOrigin: string;
  /** The portal over https, when started with a certificate (the iframe needs it). */
  portalEmbedOrigin: string;
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

/**
 * What `npm start` takes from its environment: a certificate for https, the settings of
 * `REDIS_URL` and/or `DATABASE_URL`, and `SESSION_SECRET` (instances sharing browser sessions
 * must sign their cookies alike).
 */
export interface ExampleServerOptions {
  tls?: { key: string; cert: string };
  shared?: NonNullable<Parameters<typeof createPortal>[0]['shared']>;
  sessionSecret?: string;
}

/** Starts both example apps the way `npm start` does, on random ports (https too, given a certificate). */
export async function startExampleServers({ tls, shared, sessionSecret }: ExampleServerOptions = {}): Promise<ExampleServers> {
  const portalServer = createServer();
  const partnerServer = createServer();
  const secureServer = tls === undefined ? undefined : createHttpsServer(tls);
  const portalOrigin = `http://localhost:${await listen(portalServer, '127.0.0.1')}`;
  const partnerOrigin = `http://127.0.0.1:${await listen(partnerServer, '127.0.0.1')}`;
  const portalEmbedOrigin = secureServer === undefined ? portalOrigin : `https://localhost:${await listen(secureServer as unknown as Server, '127.0.0.1')}`;
  const logLines: string[] = [];
  const partnerApiKey = 'example-partner-api-key';
  const sender = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const senderPrivateKey = sender.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const senderPublicKey = sender.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const { app: examplePortal } = createPortal({
    partnerOrigin,
    partnerApiKey,
    senderPublicKey,
    ...(shared === undefined ? {} : { shared }),
    ...(sessionSecret === undefined ? {} : { sessionSecret }),
    log: (line: string) => {
      logLines.push(line);
      captureText(line);
    },
  });
  // In front of the example portal: the suite's capture of redirects and error bodies.
  const portal = express().use(captureResponses).use(examplePortal);
  const { app: partner } = createPartner({ portalOrigin, portalEmbedOrigin, partnerOrigin, partnerApiKey, senderPrivateKey });
  portalServer.on('request', portal);
  secureServer?.on('request', portal);
  partnerServer.on('request', partner);
  const servers = [portalServer, partnerServer, ...(secureServer ? [secureServer] : [])];
  return {
    portalOrigin,
    portalEmbedOrigin,
    partnerOrigin,
    portal,
    partner,
    logLines,
    senderPrivateKey,
    async close() {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
