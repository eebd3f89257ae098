import request from 'supertest';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { signInWithHandoff, startPartnerSimulator } from 'login-with-token/testing';
import { createPortal } from './portal.mjs'; // your app: createLoginWithToken({ ...loginOptions, resolveUser })

let partner;
beforeAll(async () => (partner = await startPartnerSimulator()));
afterAll(() => partner.close());

test('a partner signs Alice in and she lands on her invoice', async () => {
  const app = createPortal(partner.portalOptions());
  const token = partner.mintAuthToken({ contactId: 1001 });
  const agent = await signInWithHandoff(request.agent(app), { token, returnTo: '/invoices/42' });
  const page = await agent.get('/invoices/42').expect(200);
  expect(page.text).toBe('Invoice 42 for Alice');
});
