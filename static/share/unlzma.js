// An LZMA decoder ("lzma_alone" streams: a 13-byte header, then the range-coded data, ended by
// the end marker or the size the header gives), as the LZMA specification describes it. A share
// file holds the viewer this way: about a quarter smaller than gzip, which is what keeps it
// under its size budget, and no decoder in the browser reads it. `./dev share-shell` writes the
// streams (Python's `lzma`, FORMAT_ALONE).
function unlzma(input) {
  const fail = (what) => { throw new Error(`the viewer in this file is damaged (${what})`); };
  if (input.length < 18 || input[0] >= 225) fail('header');
  const lc = input[0] % 9, lp = Math.floor(input[0] / 9) % 5, pb = Math.floor(input[0] / 45);
  let known = -1;
  if (!input.subarray(5, 13).every((b) => b === 0xff)) {
    known = 0;
    for (let i = 12; i >= 5; i--) known = known * 256 + input[i];
  }
  let out = new Uint8Array(known >= 0 ? known : input.length * 4);
  let size = 0;
  // The range decoder.
  let at = 13;
  const next = () => (at < input.length ? input[at++] : fail('cut short'));
  if (next() !== 0) fail('range coder');
  let range = 0xffffffff, code = 0;
  for (let i = 0; i < 4; i++) code = (code * 256 + next()) >>> 0;
  const bit = (probs, i) => {
    const bound = (range >>> 11) * probs[i];
    let b;
    if (code < bound) {
      range = bound;
      probs[i] += (2048 - probs[i]) >> 5;
      b = 0;
    } else {
      range -= bound;
      code -= bound;
      probs[i] -= probs[i] >> 5;
      b = 1;
    }
    if (range < 0x1000000) {
      range = (range * 256) >>> 0;
      code = (code * 256 + next()) >>> 0;
    }
    return b;
  };
  const direct = (count) => {
    let result = 0;
    for (let i = 0; i < count; i++) {
      range >>>= 1;
      let b = 0;
      if (code >= range) { code -= range; b = 1; }
      result = result * 2 + b;
      if (range < 0x1000000) {
        range = (range * 256) >>> 0;
        code = (code * 256 + next()) >>> 0;
      }
    }
    return result;
  };
  const probs = (n) => new Uint16Array(n).fill(1024);
  const tree = (p, base, bits) => {
    let m = 1;
    for (let i = 0; i < bits; i++) m = m * 2 + bit(p, base + m);
    return m - (1 << bits);
  };
  const reverse = (p, base, bits) => {
    let m = 1, symbol = 0;
    for (let i = 0; i < bits; i++) {
      const b = bit(p, base + m);
      m = m * 2 + b;
      symbol |= b << i;
    }
    return symbol;
  };
  const lengths = () => {
    const choice = probs(2), low = probs(16 << 3), mid = probs(16 << 3), high = probs(256);
    return (posState) => {
      if (!bit(choice, 0)) return tree(low, posState << 3, 3);
      if (!bit(choice, 1)) return 8 + tree(mid, posState << 3, 3);
      return 16 + tree(high, 0, 8);
    };
  };
  const literals = probs(0x300 << (lc + lp));
  const isMatch = probs(12 << 4), isRep = probs(12), isRepG0 = probs(12), isRepG1 = probs(12);
  const isRepG2 = probs(12), isRep0Long = probs(12 << 4);
  const slots = probs(4 << 6), special = probs(115), align = probs(16);
  const matchLength = lengths(), repLength = lengths();
  const put = (byte) => {
    if (size === out.length) {
      if (known >= 0) fail('longer than its header says');
      const bigger = new Uint8Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[size++] = byte;
  };
  const pbMask = (1 << pb) - 1, lpMask = (1 << lp) - 1;
  let state = 0, rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0;
  while (known < 0 || size < known) {
    const posState = size & pbMask;
    if (!bit(isMatch, (state << 4) + posState)) {
      const previous = size > 0 ? out[size - 1] : 0;
      const base = 0x300 * (((size & lpMask) << lc) + (previous >> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        let matchByte = out[size - rep0 - 1];
        do {
          const matchBit = (matchByte >> 7) & 1;
          matchByte <<= 1;
          const b = bit(literals, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) break;
        } while (symbol < 0x100);
      }
      while (symbol < 0x100) symbol = (symbol << 1) | bit(literals, base + symbol);
      put(symbol - 0x100);
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let length;
    if (bit(isRep, state)) {
      if (size === 0) fail('a repeat before any byte');
      if (!bit(isRepG0, state)) {
        if (!bit(isRep0Long, (state << 4) + posState)) {
          state = state < 7 ? 9 : 11;
          put(out[size - rep0 - 1]);
          continue;
        }
      } else {
        let distance;
        if (!bit(isRepG1, state)) {
          distance = rep1;
        } else {
          if (!bit(isRepG2, state)) {
            distance = rep2;
          } else {
            distance = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = distance;
      }
      length = repLength(posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      length = matchLength(posState);
      state = state < 7 ? 7 : 10;
      const slot = tree(slots, Math.min(length, 3) << 6, 6);
      if (slot < 4) {
        rep0 = slot;
      } else {
        const bits = (slot >> 1) - 1;
        rep0 = (2 | (slot & 1)) * 2 ** bits;
        if (slot < 14) {
          rep0 += reverse(special, rep0 - slot, bits);
        } else {
          rep0 += direct(bits - 4) * 16 + reverse(align, 0, 4);
        }
      }
      if (rep0 === 0xffffffff) break; // the end marker
      if (rep0 >= size) fail('a distance past the start');
    }
    for (let n = length + 2; n > 0; n--) {
      if (known >= 0 && size === known) fail('a match past the end');
      put(out[size - rep0 - 1]);
    }
  }
  return out.subarray(0, size);
}
