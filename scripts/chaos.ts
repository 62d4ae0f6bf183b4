// `npm run chaos [-- --engagements N --seed S --kills K --no-stack-kill --secrets --keep-data]`: the chaos harness
// (src/sim/chaos.ts). Prints the invariants and recovery times; exits 1 on any violation.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { runChaos } from '../src/sim/chaos.ts';

const { values } = parseArgs({
  options: {
    engagements: { type: 'string', default: '5' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    kills: { type: 'string' },
    'stack-kill-after': { type: 'string', default: '2' },
    'no-stack-kill': { type: 'boolean', default: false },
    secrets: { type: 'boolean', default: false },
    'keep-data': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: npm run chaos -- [--engagements 5] [--seed N] [--kills K (default: until done)] [--stack-kill-after 2] [--no-stack-kill] [--secrets] [--keep-data]\n',
  );
  process.exit(0);
}
const int = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`chaos: --${name} expects a non-negative integer, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};

const report = await runChaos({
  engagements: int('engagements', values.engagements)!,
  seed: int('seed', values.seed)!,
  kills: int('kills', values.kills),
  fullStackKillAfter: values['no-stack-kill'] ? -1 : int('stack-kill-after', values['stack-kill-after']),
  secretsScan: values.secrets,
  keepData: values['keep-data'],
  tools: loadConfig().tools,
});
process.exit(report.ok ? 0 : 1);
