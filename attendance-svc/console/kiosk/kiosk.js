// The kiosk at an office's entrance (CONTRACT.md, "Proof of presence that GPS
// and a gallery cannot fake"): provisioned once with its id and secret (the
// console's office page gives a link whose fragment carries them; a fragment
// is never sent to a server), kept in this browser's storage and never sent
// anywhere; then, each period, ATT1.<kiosk_id>.<t>.<mac> drawn as a QR code
// over the whole screen, made here with WebCrypto's HMAC-SHA256: no network.
import { qrModules } from './qr.js';

const STORE = 'attendance.kiosk';
const QUIET = 4; // modules of white around the code, as the standard asks

function b64urlDecode(text) {
  const s = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(s + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function b64urlEncode(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// {kiosk_id, secret, period_s, label} or null; the secret must be 32 bytes of base64url.
function valid(k) {
  if (!k || !/^[1-9][0-9]{0,17}$/.test(String(k.kiosk_id)) || typeof k.secret !== 'string') return null;
  try {
    if (b64urlDecode(k.secret).length !== 32) return null;
  } catch { return null; }
  const period = Number(k.period_s || 30);
  if (!Number.isInteger(period) || period < 1 || period > 3600) return null;
  return { kiosk_id: String(k.kiosk_id), secret: k.secret, period_s: period, label: String(k.label || '') };
}

function fromFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (!params.has('kiosk_id')) return null;
  const k = valid(Object.fromEntries(params));
  history.replaceState(null, '', location.pathname); // the secret leaves the address bar (and its history)
  return k;
}

function saved() {
  try { return valid(JSON.parse(localStorage.getItem(STORE))); } catch { return null; }
}

export async function codeAt(kiosk, key, unixMs) {
  const t = Math.floor(unixMs / 1000 / kiosk.period_s);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${kiosk.kiosk_id}.${t}`));
  return { t, text: `ATT1.${kiosk.kiosk_id}.${t}.${b64urlEncode(new Uint8Array(mac).slice(0, 16))}` };
}

function draw(canvas, text) {
  const modules = qrModules(text);
  const n = modules.length + 2 * QUIET;
  const room = Math.min(window.innerWidth, window.innerHeight - 60);
  const scale = Math.max(1, Math.floor(room / n));
  canvas.width = canvas.height = n * scale;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#000';
  modules.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) g.fillRect((x + QUIET) * scale, (y + QUIET) * scale, scale, scale);
  }));
  canvas.dataset.code = text; // for the browser test; the same text as the picture
}

async function show(kiosk) {
  document.getElementById('setup').hidden = true;
  document.getElementById('show').hidden = false;
  const key = await crypto.subtle.importKey('raw', b64urlDecode(kiosk.secret), { name: 'HMAC', hash: 'SHA-256' },
    false, ['sign']);
  const canvas = document.getElementById('code');
  const caption = document.getElementById('caption');
  let shown = null;
  async function tick() {
    const now = Date.now();
    const code = await codeAt(kiosk, key, now);
    if (code.text !== shown) {
      draw(canvas, code.text);
      shown = code.text;
    }
    const left = kiosk.period_s - Math.floor(now / 1000) % kiosk.period_s;
    caption.textContent = `${kiosk.label ? `${kiosk.label} · ` : ''}${new Date(now).toLocaleTimeString()} · ${left} s`;
    setTimeout(tick, 1000 - (now % 1000) + 5); // each second, so a new period is drawn at once
  }
  window.addEventListener('resize', () => { if (shown) draw(canvas, shown); });
  tick();
}

function setup() {
  document.getElementById('setup').hidden = false;
  document.getElementById('setup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const k = valid({
      kiosk_id: document.getElementById('kiosk-id').value.trim(),
      secret: document.getElementById('kiosk-secret').value.trim(),
      label: document.getElementById('kiosk-label').value.trim(),
    });
    if (!k) {
      document.getElementById('setup-error').textContent = 'ID atau rahasia tidak sah / the id or the secret is not valid';
      return;
    }
    localStorage.setItem(STORE, JSON.stringify(k));
    show(k);
  });
}

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/kiosk/sw.js', { scope: '/kiosk/' }).catch(() => {});
const provisioned = fromFragment();
if (provisioned) localStorage.setItem(STORE, JSON.stringify(provisioned));
const kiosk = provisioned || saved();
if (!window.isSecureContext || !crypto.subtle) {
  document.getElementById('setup').hidden = false;
  document.getElementById('setup-error').textContent = 'Halaman ini perlu HTTPS / this page needs HTTPS (WebCrypto)';
} else if (kiosk) show(kiosk);
else setup();
