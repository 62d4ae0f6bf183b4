// The blob store in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2…), chosen by
// KAIZEN_BLOB_S3_BUCKET. Keys are `<prefix><sha256>`; credentials come from the AWS SDK's default
// chain (environment, shared config, instance role) and are never read or logged here. Not tested in
// this repository (no fake of a third-party service): it is kept to these few calls.
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BlobsConfig } from '../config.ts';
import { sha256Hex, type BlobStore } from './store.ts';

export function s3BlobStore(s3: NonNullable<BlobsConfig['s3']>): BlobStore {
  // An endpoint other than AWS's usually wants path-style addressing (MinIO, most self-hosted services).
  const client = new S3Client({ region: s3.region, ...(s3.endpoint ? { endpoint: s3.endpoint, forcePathStyle: true } : {}) });
  const key = (sha: string) => `${s3.prefix}${sha}`;
  return {
    async put(bytes, contentType) {
      const sha = sha256Hex(bytes);
      // Same key, same bytes: writing again is harmless, so no existence check first.
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key(sha), Body: bytes, ContentType: contentType, ChecksumAlgorithm: 'SHA256' }));
      return sha;
    },
    async get(sha) {
      if (!/^[0-9a-f]{64}$/.test(sha)) return null;
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key(sha) }));
        const bytes = Buffer.from(await res.Body!.transformToByteArray());
        return { bytes, contentType: res.ContentType ?? 'application/octet-stream' };
      } catch (e) {
        if (e instanceof NoSuchKey) return null;
        throw e;
      }
    },
  };
}
