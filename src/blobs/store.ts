// Content-addressed blob store for rendered screenshots (issue 23): a blob's name is the sha256 of its
// bytes, so the same image stored twice is one file and a name can never point at other bytes.
// The embedded default keeps files under <dataDir>/blobs; production may point it at an
// S3-compatible bucket (src/blobs/s3.ts, settings in src/config.ts).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { s3BlobStore } from './s3.ts';

export interface Blob {
  bytes: Buffer;
  contentType: string;
}

export interface BlobStore {
  /** Stores the bytes (a no-op when they are already there); returns their sha256 in hex. */
  put(bytes: Buffer, contentType: string): Promise<string>;
  /** The blob named `sha256`, or null when there is none (or the name is not a sha256). */
  get(sha256: string): Promise<Blob | null>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The configured store: the bucket when KAIZEN_BLOB_S3_BUCKET is set, else files under dataDir/blobs. */
export function blobStoreFor(config: Pick<Config, 'dataDir' | 'blobs'>): BlobStore {
  return config.blobs.s3 ? s3BlobStore(config.blobs.s3) : fileBlobStore(path.join(config.dataDir, 'blobs'));
}

/**
 * Files `<root>/ab/cdef…` (the first two hex digits as a folder), the content type beside each in
 * `….type`. Written to a temporary file and renamed, so a crash never leaves half a blob under its name.
 */
export function fileBlobStore(root: string): BlobStore {
  const file = (sha: string) => path.join(root, sha.slice(0, 2), sha.slice(2));
  return {
    async put(bytes, contentType) {
      const sha = sha256Hex(bytes);
      const target = file(sha);
      try {
        await readFile(`${target}.type`);
        return sha; // already stored: the type file is written last
      } catch {
        // not there yet
      }
      await mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, target);
        await writeFile(`${tmp}.type`, contentType);
        await rename(`${tmp}.type`, `${target}.type`);
      } catch (e) {
        await rm(tmp, { force: true });
        await rm(`${tmp}.type`, { force: true });
        throw e;
      }
      return sha;
    },
    async get(sha) {
      if (!SHA256.test(sha)) return null;
      try {
        const [bytes, type] = await Promise.all([readFile(file(sha)), readFile(`${file(sha)}.type`, 'utf8')]);
        return { bytes, contentType: type };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
  };
}
