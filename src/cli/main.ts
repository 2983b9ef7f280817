import { type Command, UsageError } from './args.ts';
import { auditCommand } from './audit.ts';
import { demoCommand } from './demo-command.ts';
import { evalCommand } from './eval-command.ts';
import { investigateCommand } from './investigate-command.ts';
import { simulateCommand } from './simulate-command.ts';

const COMMANDS: Command[] = [demoCommand, investigateCommand, evalCommand, simulateCommand, auditCommand];

const usage = `Usage: incident-bot <command> [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(12)} ${command.summary}`).join('\n')}

Run "incident-bot <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`${name ? `unknown command "${name}"` : 'no command given'}\n\n${usage}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`incident-bot ${command.name}: ${error.message}\n\n${error.usage}\n`);
      return 2;
    }
    process.stderr.write(`incident-bot ${command.name}: ${(error as Error).message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// Keep-alive sockets of the HTTP clients would hold the process open; every command is done here.
process.stdout.write('', () => process.exit(code));
