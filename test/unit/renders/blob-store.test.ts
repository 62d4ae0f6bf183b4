// The blob store's interface with its embedded default (src/blobs/store.ts): real files in a temp dir.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobStoreFor, type BlobStore } from '../../../src/blobs/store.ts';

let dataDir: string;
let store: BlobStore;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kz-blobs-'));
  store = blobStoreFor({ dataDir, blobs: { s3: undefined } });
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('blob store (files under dataDir/blobs)', () => {
  it('names bytes by their sha256, gives them back with their type, and stores the same bytes once', async () => {
    const bytes = Buffer.from('a picture of a tea cup');
    const sha = await store.put(bytes, 'image/png');
    expect(sha).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await store.get(sha)).toEqual({ bytes, contentType: 'image/png' });
    // The file sits under <dataDir>/blobs/<first two digits>/<the rest>, whole.
    expect(await readFile(path.join(dataDir, 'blobs', sha.slice(0, 2), sha.slice(2)))).toEqual(bytes);

    expect(await store.put(Buffer.from(bytes), 'image/png')).toBe(sha);
    // No temporary file left behind, one blob and its type.
    expect((await readdir(path.join(dataDir, 'blobs', sha.slice(0, 2)))).sort()).toEqual([sha.slice(2), `${sha.slice(2)}.type`]);
  });

  it('different bytes, different names; puts of the same new bytes at once agree', async () => {
    const a = Buffer.from('control'), b = Buffer.from('variant');
    const [s1, s2, s3] = await Promise.all([store.put(a, 'image/webp'), store.put(b, 'image/webp'), store.put(a, 'image/webp')]);
    expect(s1).not.toBe(s2);
    expect(s3).toBe(s1);
    expect((await store.get(s2))?.bytes).toEqual(b);
  });

  it('answers null for an unknown or malformed name (never a path outside the store)', async () => {
    expect(await store.get('0'.repeat(64))).toBeNull();
    // A file beside the store, with a type file, is still out of reach of a name like `../x`.
    await writeFile(path.join(dataDir, 'x'), 'secret');
    await writeFile(path.join(dataDir, 'x.type'), 'text/plain');
    expect(await store.get('../x')).toBeNull();
    expect(await store.get('A'.repeat(64))).toBeNull();
  });
});
