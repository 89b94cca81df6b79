// Reading the office kiosk's QR code from a camera frame (CONTRACT.md, "Proof
// of presence"): the browser's BarcodeDetector where it has one, else this
// small reader of the kiosk's own codes (kiosk/qr.js reads the modules): the
// frame made black and white against its neighbourhood's mean, the three
// finder patterns found by their 1:1:3:1:1 runs, and the modules sampled on the
// grid they span (a screen held roughly square to the camera, as a kiosk is).
import { qrText } from '/kiosk/qr.js';

// Dark pixels of an ImageData: darker than 90% of the mean of a window around them (an integral image).
function binarize({ data, width, height }) {
  const gray = new Float64Array(width * height);
  for (let i = 0; i < width * height; i++) gray[i] = data[4 * i] * 0.299 + data[4 * i + 1] * 0.587 + data[4 * i + 2] * 0.114;
  const sum = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += gray[y * width + x];
      sum[(y + 1) * (width + 1) + x + 1] = sum[y * (width + 1) + x + 1] + row;
    }
  }
  const r = Math.max(8, Math.floor(Math.min(width, height) / 8));
  const dark = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(height, y + r + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - r), x1 = Math.min(width, x + r + 1);
      const total = sum[y1 * (width + 1) + x1] - sum[y0 * (width + 1) + x1] - sum[y1 * (width + 1) + x0] + sum[y0 * (width + 1) + x0];
      dark[y * width + x] = gray[y * width + x] < 0.9 * (total / ((x1 - x0) * (y1 - y0))) ? 1 : 0;
    }
  }
  return { dark, width, height };
}

// Whether five runs are a finder's 1:1:3:1:1 (each within half a module).
function finderRuns(runs) {
  const total = runs.reduce((a, b) => a + b, 0);
  if (total < 7) return false;
  const unit = total / 7;
  return [1, 1, 3, 1, 1].every((want, i) => Math.abs(runs[i] - want * unit) < want * unit * 0.5 + 0.5);
}

// The runs through (x, y) along (dx, dy): the centre's dark run and two runs each side; null if not a finder.
function runsThrough(img, x, y, dx, dy) {
  const at = (px, py) => px >= 0 && py >= 0 && px < img.width && py < img.height ? img.dark[py * img.width + px] : -1;
  if (at(x, y) !== 1) return null;
  const walk = (sign) => {
    const lengths = [0, 0, 0];
    let px = x, py = y, k = 0, want = 1;
    while (k < 3) {
      const v = at(px, py);
      if (v === want) { lengths[k]++; px += sign * dx; py += sign * dy; } else if (v === -1) return null;
      else { k++; want ^= 1; }
    }
    return lengths;
  };
  const a = walk(-1), b = walk(1);
  if (!a || !b) return null;
  const runs = [a[2], a[1], a[0] + b[0] - 1, b[1], b[2]];
  if (!finderRuns(runs)) return null;
  return { runs, centre: (b[0] - a[0]) / 2, size: runs.reduce((s, v) => s + v, 0) / 7 };
}

function finders(img) {
  const found = [];
  for (let y = 0; y < img.height; y += 2) {
    let x = 0;
    const runs = [];
    let colour = img.dark[y * img.width];
    let start = 0;
    for (x = 1; x <= img.width; x++) {
      const v = x < img.width ? img.dark[y * img.width + x] : -1;
      if (v === colour) continue;
      runs.push({ colour, start, length: x - start });
      colour = v;
      start = x;
      if (runs.length >= 5) {
        const five = runs.slice(-5);
        if (five[0].colour === 1 && finderRuns(five.map((r) => r.length))) {
          const cx = Math.round(five[2].start + five[2].length / 2);
          const vertical = runsThrough(img, cx, y, 0, 1);
          if (vertical) {
            const cy = Math.round(y + vertical.centre);
            const horizontal = runsThrough(img, cx, cy, 1, 0);
            if (horizontal) {
              const point = { x: cx + horizontal.centre, y: cy, size: (vertical.size + horizontal.size) / 2, hits: 1 };
              const near = found.find((f) => Math.hypot(f.x - point.x, f.y - point.y) < f.size * 3);
              if (near) {
                near.x = (near.x * near.hits + point.x) / (near.hits + 1);
                near.y = (near.y * near.hits + point.y) / (near.hits + 1);
                near.size = (near.size * near.hits + point.size) / (near.hits + 1);
                near.hits++;
              } else found.push(point);
            }
          }
        }
      }
    }
  }
  return found.filter((f) => f.hits >= 2).sort((a, b) => b.hits - a.hits);
}

// The three finders as top-left, top-right and bottom-left (the corner of the right angle is the top-left).
function corners(three) {
  const d = (p, q) => Math.hypot(p.x - q.x, p.y - q.y);
  const [a, b, c] = three;
  let tl, tr, bl;
  if (d(b, c) >= d(a, b) && d(b, c) >= d(a, c)) [tl, tr, bl] = [a, b, c];
  else if (d(a, c) >= d(a, b)) [tl, tr, bl] = [b, a, c];
  else [tl, tr, bl] = [c, a, b];
  if ((tr.x - tl.x) * (bl.y - tl.y) - (tr.y - tl.y) * (bl.x - tl.x) < 0) [tr, bl] = [bl, tr];
  return { tl, tr, bl };
}

function sample(img, { tl, tr, bl }, size) {
  const span = size - 7;
  const ux = (tr.x - tl.x) / span, uy = (tr.y - tl.y) / span, vx = (bl.x - tl.x) / span, vy = (bl.y - tl.y) / span;
  const modules = [];
  for (let my = 0; my < size; my++) {
    const row = [];
    for (let mx = 0; mx < size; mx++) {
      const px = Math.round(tl.x + (mx - 3) * ux + (my - 3) * vx);
      const py = Math.round(tl.y + (mx - 3) * uy + (my - 3) * vy);
      if (px < 0 || py < 0 || px >= img.width || py >= img.height) return null;
      row.push(img.dark[py * img.width + px] === 1);
    }
    modules.push(row);
  }
  return modules;
}

// The text of the QR code in an ImageData, or null.
export function readCode(imageData) {
  const img = binarize(imageData);
  const found = finders(img).slice(0, 6);
  for (let i = 0; i < found.length; i++) {
    for (let j = i + 1; j < found.length; j++) {
      for (let k = j + 1; k < found.length; k++) {
        const c = corners([found[i], found[j], found[k]]);
        const size = (Math.hypot(c.tr.x - c.tl.x, c.tr.y - c.tl.y) + Math.hypot(c.bl.x - c.tl.x, c.bl.y - c.tl.y)) /
          2 / ((c.tl.size + c.tr.size + c.bl.size) / 3) + 7;
        const version = Math.round((size - 17) / 4);
        for (const v of [version, version - 1, version + 1]) {
          if (v < 1 || v > 10) continue;
          const modules = sample(img, c, 4 * v + 17);
          const text = modules && qrText(modules);
          if (text) return text;
        }
      }
    }
  }
  return null;
}

// Scans the camera's frames in the video until a kiosk code (ATT1.…) is read; resolves with its text. stop()
// ends it (the promise then resolves with null).
export function scanVideo(video) {
  let stopped = false;
  const detector = 'BarcodeDetector' in window ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
  const canvas = document.createElement('canvas');
  const result = new Promise((resolve) => {
    const tick = async () => {
      if (stopped) { resolve(null); return; }
      if (video.videoWidth) {
        let text = null;
        if (detector) {
          try { text = ((await detector.detect(video))[0] || {}).rawValue || null; } catch { text = null; }
        } else {
          const scale = Math.min(1, 640 / video.videoWidth);
          canvas.width = Math.round(video.videoWidth * scale);
          canvas.height = Math.round(video.videoHeight * scale);
          const g = canvas.getContext('2d', { willReadFrequently: true });
          g.drawImage(video, 0, 0, canvas.width, canvas.height);
          text = readCode(g.getImageData(0, 0, canvas.width, canvas.height));
        }
        if (text && /^ATT1\.[0-9]+\.[0-9]+\.[A-Za-z0-9_-]{22}$/.test(text)) { resolve(text); return; }
      }
      setTimeout(tick, 150);
    };
    tick();
  });
  return { result, stop: () => { stopped = true; } };
}
