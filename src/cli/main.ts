#!/usr/bin/env node
// `kaizen <command>`: one entry point for every process and tool. Run `kaizen help` for the list.
import { ConfigError } from '../config.ts';
import { ValidationError } from '../domain/errors.ts';

const USAGE = `Usage: kaizen <command>

  dev                     embedded Postgres + Temporal dev server + migrations + worker + API
  api                     API server only (needs DATABASE_URL and TEMPORAL_ADDRESS)
  worker                  Temporal worker only (needs DATABASE_URL and TEMPORAL_ADDRESS)
  render-worker           render worker only: proposal screenshots in Chromium, on the render
                          task queue (same variables; run several to render more at once)
  migrate                 apply database migrations (and register Temporal search attributes
                          when TEMPORAL_ADDRESS is set)
  users create --role <role> --name <name> [--client <id>] [--hacker <id>]
                          create a user and print its API token once
  users revoke --token <id> | --user <id>
                          revoke one token, or every token of a user (takes effect at once)
  stats <op>              verdict engine: one JSON request on stdin, one JSON result on stdout
                          (ops: verdict, srm, adjust, sample-size, power, mde)
  payouts <op>            withholding | zengin-name | zengin: one JSON request on stdin
  payouts annual-records --year YYYY [--copy payee]   支払調書 data (CSV) of the year
  payees rekey            re-encrypt bank details and My Numbers under an older key
                          with the current one (after a key rotation; idempotent)
  invoices draft --month YYYY-MM                     draft the month's invoices (same as the workflow; idempotent)
  invoices export --month YYYY-MM [--format csv|json] the month's issued invoices for accounting
  doctor                  check the settings, PostgreSQL (version, migrations), Temporal
                          (namespace, search attributes) and Chromium; says what to fix
`;

type Command = (args: string[]) => Promise<number | void>;

const commands: Record<string, () => Promise<Command>> = {
  dev: async () => (await import('./dev.ts')).dev,
  api: async () => (await import('./processes.ts')).api,
  worker: async () => (await import('./processes.ts')).worker,
  'render-worker': async () => (await import('./processes.ts')).renderWorker,
  migrate: async () => (await import('./processes.ts')).migrate,
  users: async () => (await import('./users.ts')).users,
  stats: async () => (await import('./json-tools.ts')).stats,
  payouts: async () => (await import('./json-tools.ts')).payouts,
  payees: async () => (await import('./payees.ts')).payees,
  invoices: async () => (await import('./invoices.ts')).invoices,
  doctor: async () => (await import('./doctor.ts')).doctor,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`kaizen: unknown command "${name}"\n\n${USAGE}`);
    return 1;
  }
  const command = await load();
  return (await command(args)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`kaizen: ${err.message}\n`);
      process.exit(78);
    }
    if (err instanceof ValidationError) {
      process.stderr.write(`kaizen: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`kaizen: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
