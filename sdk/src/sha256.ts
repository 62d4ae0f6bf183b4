// A small synchronous SHA-256 (FIPS 180-4) for the browser SDK: SubtleCrypto's is asynchronous, and
// a variant must be known before the page renders. The round constants are the first 32 bits of the
// fractional parts of the cube roots (K) and square roots (H) of the first primes, computed once.
let K: number[] | undefined;
let H0: number[] | undefined;

function constants(): void {
  K = [];
  H0 = [];
  const frac = (x: number) => ((x - Math.floor(x)) * 4294967296) >>> 0;
  for (let n = 2, found = 0; found < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (!prime) continue;
    if (found < 8) H0.push(frac(Math.pow(n, 1 / 2)));
    K.push(frac(Math.pow(n, 1 / 3)));
    found++;
  }
}

/** The digest as eight big-endian 32-bit words. */
export function sha256Words(bytes: Uint8Array): number[] {
  if (!K) constants();
  const k = K!;
  const h = H0!.slice();
  const len = bytes.length;
  const blocks = ((len + 8) >> 6) + 1;
  const w = new Array<number>(blocks * 16).fill(0);
  for (let i = 0; i < len; i++) w[i >> 2]! |= bytes[i]! << (24 - (i % 4) * 8);
  w[len >> 2]! |= 0x80 << (24 - (len % 4) * 8);
  w[blocks * 16 - 1] = len * 8; // messages here are short: the high word of the length stays 0
  const m = new Array<number>(64);
  for (let b = 0; b < blocks; b++) {
    for (let t = 0; t < 64; t++) {
      if (t < 16) m[t] = w[b * 16 + t]! | 0;
      else {
        const x = m[t - 15]!, y = m[t - 2]!;
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        m[t] = (m[t - 16]! + s0 + m[t - 7]! + s1) | 0;
      }
    }
    let [a, bb, c, d, e, f, g, hh] = h as [number, number, number, number, number, number, number, number];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + k[t]! + m[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + bb) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + hh) | 0;
  }
  return h.map((x) => x >>> 0);
}

export function sha256Hex(bytes: Uint8Array): string {
  return sha256Words(bytes).map((x) => x.toString(16).padStart(8, '0')).join('');
}
