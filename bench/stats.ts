// Verdicts per second on one core: `npm run bench:stats`.
// Times the typed core (`verdict`), i.e. what workflow activities call after validation; the
// validated JSON path (`runStatsOp`) is shown once for reference.
import { runStatsOp, verdict } from '../src/domain/stats/index.ts';
import type { ArmInput, VerdictRequest } from '../src/domain/stats/index.ts';

function arms(k: number): ArmInput[] {
  const out: ArmInput[] = [];
  for (let i = 0; i < k; i++) {
    out.push({ arm: i === 0 ? 'control' : `T${i}`, n: 50_000 + 37 * i, conversions: 5_000 + 41 * i });
  }
  return out;
}

const cases: [string, VerdictRequest][] = [
  ['sequential, 2 arms', { engine: 'sequential', metric_type: 'binomial', arms: arms(2), weights: [1, 1] }],
  ['sequential, 10 arms', { engine: 'sequential', metric_type: 'binomial', arms: arms(10), weights: new Array(10).fill(1) }],
  ['sequential one-sided, 2 arms', { engine: 'sequential', metric_type: 'binomial', side: 'greater', arms: arms(2) }],
  ['frequentist, 2 arms', { engine: 'frequentist', metric_type: 'binomial', arms: arms(2) }],
  ['bayesian, 2 arms', { engine: 'bayesian', metric_type: 'binomial', prior: { proper: true }, arms: arms(2) }],
];

function bench(name: string, fn: () => unknown, seconds = 1): void {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += (fn() as object) ? 1 : 0; // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 5_000; i++) sink += (fn() as object) ? 1 : 0;
    n += 5_000;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSec = n / (Number(elapsed) / 1e9);
  console.log(`${name.padEnd(40)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} verdicts/s${sink < 0 ? '!' : ''}`);
}

console.log(`node ${process.version}, one core`);
for (const [name, req] of cases) bench(name, () => verdict(req));
const json = JSON.parse(JSON.stringify(cases[0]![1])) as unknown;
bench('sequential, 2 arms (validated JSON)', () => runStatsOp('verdict', json));
