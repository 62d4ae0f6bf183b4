// Integration global setup for the browser tests: builds the web back office when web/dist is
// missing or stale (so `npm install && npm test` needs no manual step).
import { ensureWebBuild } from '../src/infra/web-build.ts';

export default async function setup() {
  const { built, ms } = await ensureWebBuild();
  if (built) process.stdout.write(`web back office built in ${ms} ms\n`);
}
