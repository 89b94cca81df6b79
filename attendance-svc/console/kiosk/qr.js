// A QR code encoder (ISO/IEC 18004) for the kiosk's short text: byte mode,
// error correction level M, versions 1 to 10 (up to 213 bytes), the mask of
// least penalty. Written for this project (AGPL-3.0-or-later, as the rest).
// qrModules(text) answers a square array of rows of booleans (true: dark);
// qrText(modules) reads such an array back (the employee's app, scanning a
// kiosk: codes of this encoder only, no error correction, its check instead).

const ECC_PER_BLOCK = [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26]; // level M, by version
const BLOCKS = [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
const MAX_VERSION = 10;

function rawDataModules(ver) {
  let n = (16 * ver + 128) * ver + 64;
  if (ver >= 2) {
    const align = Math.floor(ver / 7) + 2;
    n -= (25 * align - 10) * align - 55;
    if (ver >= 7) n -= 36;
  }
  return n;
}

function dataCodewords(ver) {
  return Math.floor(rawDataModules(ver) / 8) - ECC_PER_BLOCK[ver] * BLOCKS[ver];
}

// GF(2^8) with the polynomial 0x11D.
function gfMul(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

function rsDivisor(degree) {
  const result = new Array(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMul(result[j], root);
      if (j + 1 < degree) result[j] ^= result[j + 1];
    }
    root = gfMul(root, 0x02);
  }
  return result;
}

function rsRemainder(data, divisor) {
  const result = new Array(divisor.length).fill(0);
  for (const b of data) {
    const factor = b ^ result.shift();
    result.push(0);
    divisor.forEach((coef, i) => { result[i] ^= gfMul(coef, factor); });
  }
  return result;
}

function encodeData(bytes, ver) {
  const bits = [];
  const put = (value, length) => { for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0x4, 4); // byte mode
  put(bytes.length, ver <= 9 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const capacity = dataCodewords(ver) * 8;
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const codewords = [];
  for (let i = 0; i < bits.length; i += 8) codewords.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  for (let pad = 0xec; codewords.length < capacity / 8; pad ^= 0xec ^ 0x11) codewords.push(pad);
  return codewords;
}

function withErrorCorrection(data, ver) {
  const blocks = BLOCKS[ver];
  const eccLength = ECC_PER_BLOCK[ver];
  const raw = Math.floor(rawDataModules(ver) / 8);
  const shortBlocks = blocks - (raw % blocks);
  const shortLength = Math.floor(raw / blocks);
  const divisor = rsDivisor(eccLength);
  const parts = [];
  for (let i = 0, k = 0; i < blocks; i++) {
    const dat = data.slice(k, k + shortLength - eccLength + (i < shortBlocks ? 0 : 1));
    k += dat.length;
    const ecc = rsRemainder(dat, divisor);
    if (i < shortBlocks) dat.push(0);
    parts.push(dat.concat(ecc));
  }
  const result = [];
  for (let i = 0; i < parts[0].length; i++) {
    parts.forEach((block, j) => {
      if (i !== shortLength - eccLength || j >= shortBlocks) result.push(block[i]);
    });
  }
  return result;
}

function alignmentPositions(ver, size) {
  if (ver === 1) return [];
  const count = Math.floor(ver / 7) + 2;
  const step = Math.ceil((ver * 4 + 4) / (count * 2 - 2)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < count; pos -= step) result.splice(1, 0, pos);
  return result;
}

const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Grid {
  constructor(ver) {
    this.ver = ver;
    this.size = ver * 4 + 17;
    this.dark = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    this.fixed = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  set(x, y, dark) { this.dark[y][x] = dark; this.fixed[y][x] = true; }

  drawPatterns() {
    const { size } = this;
    for (let i = 0; i < size; i++) { this.set(6, i, i % 2 === 0); this.set(i, 6, i % 2 === 0); }
    for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const x = cx + dx, y = cy + dy;
          const d = Math.max(Math.abs(dx), Math.abs(dy));
          if (x >= 0 && x < size && y >= 0 && y < size) this.set(x, y, d !== 2 && d !== 4);
        }
      }
    }
    const align = alignmentPositions(this.ver, size);
    const last = align.length - 1;
    align.forEach((ax, i) => align.forEach((ay, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) this.set(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }));
    this.drawFormat(0);
    if (this.ver >= 7) {
      let rem = this.ver;
      for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
      const bits = (this.ver << 12) | rem;
      for (let i = 0; i < 18; i++) {
        const bit = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3), b = Math.floor(i / 3);
        this.set(a, b, bit);
        this.set(b, a, bit);
      }
    }
  }

  drawFormat(mask) {
    const data = (0 << 3) | mask; // level M's format bits are 00
    let rem = data;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    const bits = ((data << 10) | rem) ^ 0x5412;
    const bit = (i) => ((bits >>> i) & 1) === 1;
    const { size } = this;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
    this.set(8, size - 8, true);
  }

  // The data modules, in the order the codewords' bits fill them (two columns at a time, up then down).
  * dataModules() {
    const { size } = this;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let vert = 0; vert < size; vert++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          const y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
          if (!this.fixed[y][x]) yield [x, y];
        }
      }
    }
  }

  drawCodewords(codewords) {
    let i = 0;
    for (const [x, y] of this.dataModules()) {
      if (i >= codewords.length * 8) break;
      this.dark[y][x] = ((codewords[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
      i++;
    }
  }

  applyMask(mask) {
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) if (!this.fixed[y][x] && MASKS[mask](x, y)) this.dark[y][x] = !this.dark[y][x];
    }
  }

  // The standard's rules 1 (runs), 2 (2x2 blocks) and 4 (balance); rule 3 (finder-like patterns) is left out:
  // it only ranks masks, every mask decodes.
  penalty() {
    const { size, dark } = this;
    let score = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let a = 0; a < size; a++) {
        let run = 1;
        for (let b = 1; b <= size; b++) {
          const same = b < size && (pass ? dark[b][a] === dark[b - 1][a] : dark[a][b] === dark[a][b - 1]);
          if (same) run++;
          else { if (run >= 5) score += run - 2; run = 1; }
        }
      }
    }
    let count = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (dark[y][x]) count++;
        if (x + 1 < size && y + 1 < size && dark[y][x] === dark[y][x + 1] && dark[y][x] === dark[y + 1][x]
            && dark[y][x] === dark[y + 1][x + 1]) score += 3;
      }
    }
    score += Math.floor(Math.abs(count * 20 - size * size * 10) / (size * size)) * 10;
    return score;
  }
}

export function qrModules(text) {
  const bytes = Array.from(new TextEncoder().encode(text));
  let ver = 1;
  while (ver <= MAX_VERSION && bytes.length + (ver <= 9 ? 2 : 3) > dataCodewords(ver)) ver++;
  if (ver > MAX_VERSION) throw new RangeError('the text is too long for this QR encoder');
  const codewords = withErrorCorrection(encodeData(bytes, ver), ver);
  let best = null;
  for (let mask = 0; mask < 8; mask++) {
    const grid = new Grid(ver);
    grid.drawPatterns();
    grid.drawCodewords(codewords);
    grid.applyMask(mask);
    grid.drawFormat(mask);
    const score = grid.penalty();
    if (!best || score < best.score) best = { score, grid };
  }
  return best.grid.dark;
}

// Reads the codewords in the order drawCodewords wrote them.
function readCodewords(grid, dark) {
  const count = Math.floor(rawDataModules(grid.ver) / 8);
  const out = new Array(count).fill(0);
  let i = 0;
  for (const [x, y] of grid.dataModules()) {
    if (i >= count * 8) break;
    if (dark[y][x]) out[i >>> 3] |= 0x80 >>> (i & 7);
    i++;
  }
  return out;
}

// The data codewords, or null when a block's error correction does not match (a misread, or another mask).
function withoutErrorCorrection(codewords, ver) {
  const blocks = BLOCKS[ver];
  const eccLength = ECC_PER_BLOCK[ver];
  const raw = codewords.length;
  const shortBlocks = blocks - (raw % blocks);
  const shortLength = Math.floor(raw / blocks);
  const parts = Array.from({ length: blocks }, () => []);
  let k = 0;
  for (let i = 0; i <= shortLength; i++) {
    parts.forEach((block, j) => {
      block.push(i === shortLength - eccLength && j < shortBlocks ? null : codewords[k++]); // a short block's gap
    });
  }
  const divisor = rsDivisor(eccLength);
  const data = [];
  for (const block of parts) {
    const dat = block.slice(0, block.length - eccLength).filter((b) => b !== null);
    const ecc = block.slice(block.length - eccLength);
    if (rsRemainder(dat, divisor).some((b, i) => b !== ecc[i])) return null;
    data.push(...dat);
  }
  return data;
}

// The text of a module matrix of this encoder's kind (level M, byte mode), or null.
export function qrText(dark) {
  const size = dark.length;
  const ver = (size - 17) / 4;
  if (!Number.isInteger(ver) || ver < 1 || ver > MAX_VERSION) return null;
  const grid = new Grid(ver);
  grid.drawPatterns();
  for (let mask = 0; mask < 8; mask++) {
    const plain = dark.map((row, y) => row.map((d, x) => (!grid.fixed[y][x] && MASKS[mask](x, y) ? !d : d)));
    const data = withoutErrorCorrection(readCodewords(grid, plain), ver);
    if (!data) continue;
    let bit = 0;
    const take = (n) => {
      let v = 0;
      for (let i = 0; i < n; i++, bit++) v = (v << 1) | ((data[bit >>> 3] >>> (7 - (bit & 7))) & 1);
      return v;
    };
    if (take(4) !== 0x4) return null;
    const length = take(ver <= 9 ? 8 : 16);
    if (bit + length * 8 > data.length * 8) return null;
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = take(8);
    try { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return null; }
  }
  return null;
}
