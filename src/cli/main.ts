#!/usr/bin/env node
// `npx login-with-token <command> …`: finds the command and turns its outcome into an exit code.
import { apiTokenCommand } from './api-token-command.js';
import { UsageError, type Command } from './command.js';
import { migrateCommand } from './migrate-command.js';
import { signTokenCommand } from './sign-token-command.js';

const commands: readonly Command[] = [signTokenCommand, migrateCommand, apiTokenCommand];

const usage = `Usage: login-with-token <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(12)}${command.summary}`).join('\n')}

"login-with-token <command> --help" shows a command's options.`;

async function main([name, ...args]: string[]): Promise<number> {
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const help = name === '--help' || name === '-h';
    (help ? process.stdout : process.stderr).write(`${usage}\n`);
    return help ? 0 : 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`login-with-token: ${error.message}\n\n${command.usage}\n`);
    return 2;
  }
}

// exitCode rather than exit(): output to a pipe is written out in full before the process ends.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`login-with-token: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
