// JSON-in/JSON-out tools over the pure domain modules: one request on stdin, the result on stdout;
// invalid input exits 2 with { error: { code, message, details } } on stderr.
import { errorBody, ValidationError } from '../domain/errors.ts';
import { runStatsOp, STATS_OPS } from '../domain/stats/index.ts';
import { withholdingOp, zenginFileOp, zenginNamesOp } from '../domain/payouts/index.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function runJson(op: string | undefined, ops: readonly string[], run: (op: string, body: unknown) => unknown): Promise<number> {
  try {
    if (!op || !ops.includes(op)) {
      throw new ValidationError(`unknown op "${op ?? ''}"; expected one of ${ops.join(', ')}`, [
        { path: '/op', message: `must be one of ${ops.join(', ')}` },
      ]);
    }
    let body: unknown;
    try {
      body = JSON.parse(await readStdin());
    } catch (err) {
      throw new ValidationError(`stdin is not valid JSON: ${(err as Error).message}`, [{ path: '', message: 'invalid JSON' }]);
    }
    const result = run(op, body);
    if (Buffer.isBuffer(result)) process.stdout.write(result);
    else process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    process.stderr.write(`${JSON.stringify(errorBody(err.code, err.message, err.details))}\n`);
    return 2;
  }
}

export async function stats([op]: string[]): Promise<number> {
  return runJson(op, STATS_OPS, runStatsOp);
}

const PAYOUT_OPS = {
  withholding: withholdingOp,
  'zengin-name': zenginNamesOp,
  zengin: zenginFileOp,
} as const satisfies Record<string, (body: unknown) => unknown>;

export async function payouts([op, ...rest]: string[]): Promise<number> {
  if (op === 'annual-records') return (await import('./payouts-admin.ts')).annualRecords(rest);
  return runJson(op, Object.keys(PAYOUT_OPS), (name, body) => PAYOUT_OPS[name as keyof typeof PAYOUT_OPS](body));
}
