// One signed webhook request (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature,
// signed with the `standardwebhooks` library). Only http(s); a request times out; in production an
// address that is not public (loopback, private, link-local, …) is refused at connect time, after DNS,
// so a name that resolves to an internal address (or re-resolves to one) cannot reach inside.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Webhook } from 'standardwebhooks';

const NON_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) NON_PUBLIC.addSubnet(prefix, bits, 'ipv6');

/** Whether an IP address is reachable on the public internet (IPv4-mapped IPv6 judged as its IPv4). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPublicAddress(mapped);
  const family = net.isIP(address);
  if (family === 0) return false;
  return !NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a URL may not be an endpoint (undefined: it may): http(s) only, no credentials, a public IP literal in production. */
export function endpointUrlRefusal(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http:// and https:// URLs';
  if (url.username || url.password) return 'no credentials in the URL (the signature authenticates)';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || (net.isIP(host) && !isPublicAddress(host)))) return 'not a public address';
  return undefined;
}

/** Signs `body` with every secret given (Standard Webhooks allows several, space-separated). */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(messageId, at, body)).join(' ');
}

export interface SentRequest {
  status: number;
  latencyMs: number;
}

/**
 * POSTs `body` with the Standard Webhooks headers; resolves with the answer's status (any), rejects on
 * a network failure, a refused address or the timeout. The response body is read and dropped (at most 64 KiB).
 */
export function postSigned(
  target: string,
  body: string,
  headers: { id: string; timestamp: Date; signature: string },
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<SentRequest> {
  const refusal = endpointUrlRefusal(target, opts.allowPrivate);
  if (refusal) return Promise.reject(new Error(`refused URL: ${refusal}`));
  const url = new URL(target);
  const lookup: net.LookupFunction = (hostname, options, callback) =>
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const refused = opts.allowPrivate ? undefined : list.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(Object.assign(new Error(`refused address ${refused.address}: not public`), { code: 'EREFUSED' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        lookup,
        timeout: opts.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'KaizenDesk-Webhooks/1',
          'webhook-id': headers.id,
          'webhook-timestamp': String(Math.floor(headers.timestamp.getTime() / 1000)),
          'webhook-signature': headers.signature,
        },
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 65_536) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, latencyMs: Math.round(performance.now() - started) });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
