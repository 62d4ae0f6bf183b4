// `npm run demo [-- --seed 1 --hackers 3600 --month-seconds 300 --months 2 --reset --data .demo --no-web]`:
// months of the marketplace in minutes, on its own data folder and ports (src/demo/).
import { parseArgs } from 'node:util';
import { untilSignal } from '../src/cli/processes.ts';
import { freePort } from '../src/infra/ports.ts';
import { runDemo } from '../src/demo/run.ts';
import { DEMO_PORTS } from '../src/demo/stack.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    hackers: { type: 'string', default: '3600' },
    'month-seconds': { type: 'string', default: '300' },
    months: { type: 'string', default: '2' },
    data: { type: 'string', default: '.demo' },
    port: { type: 'string', default: String(DEMO_PORTS.api) },
    'pg-port': { type: 'string', default: String(DEMO_PORTS.pg) },
    'temporal-port': { type: 'string', default: String(DEMO_PORTS.temporal) },
    'ui-port': { type: 'string', default: String(DEMO_PORTS.ui) },
    'free-ports': { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
    'no-web': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: npm run demo -- [--seed 1] [--hackers 3600] [--month-seconds 300] [--months 2] [--reset] [--data .demo]\n' +
      '                       [--port 3100 --pg-port 54339 --temporal-port 7243 --ui-port 8243 | --free-ports] [--no-web]\n',
  );
  process.exit(0);
}
const int = (name: string, v: string, min: number) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`demo: --${name} expects an integer ≥ ${min}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const ports = values['free-ports']
  ? { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort() }
  : { api: int('port', values.port, 1), pg: int('pg-port', values['pg-port'], 1), temporal: int('temporal-port', values['temporal-port'], 1), ui: int('ui-port', values['ui-port'], 1) };

await runDemo(
  {
    dataDir: values.data,
    ports,
    seed: int('seed', values.seed, 0),
    hackers: int('hackers', values.hackers, 10),
    monthSeconds: int('month-seconds', values['month-seconds'], 30),
    months: int('months', values.months, 1),
    reset: values.reset,
    web: !values['no-web'],
  },
  untilSignal(),
);
process.exit(0);
