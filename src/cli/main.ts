import { type Command, UsageError } from './args.ts';
import { errorMessage } from '../observability/error-message.ts';

interface CommandEntry {
  name: string;
  summary: string;
  /** Loaded on use, so that `demo` never needs what only `audit` does (the generated Prisma client, a database). */
  load: () => Promise<Command>;
}

const COMMANDS: CommandEntry[] = [
  {
    name: 'demo',
    summary: 'replay a bundled incident and print the thread (needs nothing else)',
    load: async () => (await import('./demo-command.ts')).demoCommand,
  },
  {
    name: 'investigate',
    summary: 'investigate one scenario file (or a real cluster) and print the thread',
    load: async () => (await import('./investigate-command.ts')).investigateCommand,
  },
  {
    name: 'eval',
    summary: 'replay a folder of scenarios and score the investigation',
    load: async () => (await import('./eval-command.ts')).evalCommand,
  },
  {
    name: 'simulate',
    summary: 'serve a scenario as Kubernetes and Prometheus APIs until stopped',
    load: async () => (await import('./simulate-command.ts')).simulateCommand,
  },
  {
    name: 'audit',
    summary: 'export an incident’s audit record, or verify the audit chains',
    load: async () => (await import('./audit.ts')).auditCommand,
  },
];

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
  const entry = COMMANDS.find((candidate) => candidate.name === name);
  if (!entry) {
    process.stderr.write(`${name ? `unknown command "${name}"` : 'no command given'}\n\n${usage}\n`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`incident-bot ${entry.name}: ${error.message}\n\n${error.usage}\n`);
      return 2;
    }
    // Loaded here, not at start-up: the scanners are only needed for what goes out.
    const { redaction } = await import('../redaction/policy.ts');
    process.stderr.write(`incident-bot ${entry.name}: ${redaction.text(errorMessage(error))}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// Keep-alive sockets of the HTTP clients would hold the process open; every command is done here.
process.stdout.write('', () => process.exit(code));
