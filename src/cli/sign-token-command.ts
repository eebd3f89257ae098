import { readFileSync } from 'node:fs';
import { asymmetricAlgorithms, type AsymmetricAlgorithm } from '../config/token-type-schema.js';
import { signSenderToken } from '../logon/sign-sender-token.js';
import { parseCommandArgs, type Command } from './command.js';

const usage = `Usage: login-with-token sign-token --key <private-key.pem> (--contact-id <id> | --contact-email <email>)
                                  [--audience <tenant>] [--lifetime <seconds>] [--alg <${asymmetricAlgorithms.join('|')}>] [--version <ver>]

Prints a signed sender token (compact JWS) for LogonWithToken to standard output.
--audience names the tenant the token is for (its aud claim); portals whose sender key serves
more than one tenant require it.`;

/** `login-with-token sign-token …`: partner tooling that mints a signed sender token. */
export const signTokenCommand: Command = {
  name: 'sign-token',
  summary: 'mint a signed sender token for LogonWithToken (partner tooling)',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, {
      options: {
        key: { type: 'string' },
        'contact-id': { type: 'string' },
        'contact-email': { type: 'string' },
        audience: { type: 'string' },
        lifetime: { type: 'string' },
        alg: { type: 'string' },
        version: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (values.key === undefined || (values['contact-id'] === undefined && values['contact-email'] === undefined)) {
      process.stderr.write(`${usage}\n`);
      return 2;
    }
    if (values.alg !== undefined && !(asymmetricAlgorithms as readonly string[]).includes(values.alg)) {
      process.stderr.write(`--alg must be one of ${asymmetricAlgorithms.join(', ')}\n`);
      return 2;
    }
    const lifetime = values.lifetime === undefined ? undefined : Number(values.lifetime);
    if (lifetime !== undefined && !(Number.isInteger(lifetime) && lifetime > 0)) {
      process.stderr.write('--lifetime must be a positive whole number of seconds\n');
      return 2;
    }
    const token = await signSenderToken({
      privateKey: readFileSync(values.key, 'utf8'),
      ...(values.alg === undefined ? {} : { algorithm: values.alg as AsymmetricAlgorithm }),
      ...(values['contact-id'] === undefined ? {} : { contactId: values['contact-id'] }),
      ...(values['contact-email'] === undefined ? {} : { contactEmail: values['contact-email'] }),
      ...(values.audience === undefined ? {} : { audience: values.audience }),
      ...(lifetime === undefined ? {} : { lifetimeSeconds: lifetime }),
      ...(values.version === undefined ? {} : { version: values.version }),
    });
    process.stdout.write(`${token}\n`);
    return 0;
  },
};
