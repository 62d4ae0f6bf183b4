// `npm run build:web`: builds web/ into web/dist (always; `npm run dev` and the tests build only
// when the built files are missing or stale).
import { distSizeBytes, ensureWebBuild } from '../src/infra/web-build.ts';

const { ms } = await ensureWebBuild(undefined, { force: true });
process.stdout.write(`web/dist built in ${ms} ms (${(distSizeBytes() / 1024).toFixed(0)} KiB)\n`);
