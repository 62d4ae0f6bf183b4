// Builds the browser SDK (sdk/src) once per process, in memory, with esbuild (already installed with
// tsx): an ES module (/sdk/v1.mjs) and a classic script defining window.Kaizen (/sdk/v1.js), minified,
// with their gzipped forms and ETags.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface SdkFile {
  code: Buffer;
  gzip: Buffer;
  etag: string;
}

const ENTRY = path.resolve(import.meta.dirname, '../../sdk/src/index.ts');
let built: Promise<{ esm: SdkFile; iife: SdkFile }> | undefined;

async function buildOne(format: 'esm' | 'iife'): Promise<SdkFile> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    minify: true,
    format,
    target: 'es2020',
    ...(format === 'iife' ? { globalName: 'Kaizen' } : {}),
    // Where the SDK was loaded from: the API's origin by default.
    define: { __SDK_BASE__: format === 'esm' ? 'import.meta.url' : 'document.currentScript.src' },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = Buffer.from(out.outputFiles[0]!.contents);
  return { code, gzip: gzipSync(code, { level: 9 }), etag: `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"` };
}

export function sdkFiles(): Promise<{ esm: SdkFile; iife: SdkFile }> {
  built ??= Promise.all([buildOne('esm'), buildOne('iife')]).then(([esm, iife]) => ({ esm, iife }));
  return built;
}
