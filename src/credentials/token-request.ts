import { z } from 'zod';

const text = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/**
 * The body of `POST authentication/token` (seed 001) with its conditional rules: `organisation`
 * always; `username` and `password` unless `access_token_identifier` is given; inside it either
 * `authentication_code` or `identifier` with `pass_code`.
 */
export const tokenRequestSchema = z
  .object({
    username: text(256).optional(),
    password: text(1024).optional(),
    access_token_identifier: z
      .object({
        authentication_code: text(1024).optional(),
        identifier: text(256).optional(),
        pass_code: text(1024).optional(),
      })
      .optional(),
    organisation: text(256),
    unit: text(256).optional(),
  })
  .superRefine((body, ctx) => {
    const missing = (path: (string | number)[]) => ctx.addIssue({ code: 'custom', path, message: 'is required' });
    const conflicting = (path: (string | number)[], other: string) =>
      ctx.addIssue({ code: 'custom', path, message: `is not allowed together with ${other}` });
    const access = body.access_token_identifier;
    if (access === undefined) {
      if (body.username === undefined) missing(['username']);
      if (body.password === undefined) missing(['password']);
      return;
    }
    if (body.username !== undefined) conflicting(['username'], 'access_token_identifier');
    if (body.password !== undefined) conflicting(['password'], 'access_token_identifier');
    if (access.authentication_code !== undefined && access.identifier !== undefined) {
      conflicting(['access_token_identifier', 'identifier'], 'access_token_identifier.authentication_code');
    }
    if (access.authentication_code === undefined && access.identifier === undefined) {
      missing(['access_token_identifier', 'authentication_code']);
    }
    if (access.identifier !== undefined && access.pass_code === undefined) missing(['access_token_identifier', 'pass_code']);
    if (access.identifier === undefined && access.pass_code !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['access_token_identifier', 'pass_code'], message: 'is only allowed with access_token_identifier.identifier' });
    }
  });

/** A valid token request. */
export type TokenRequest = z.output<typeof tokenRequestSchema>;
