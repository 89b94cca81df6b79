// The employee's app (/app/) in Debian's chromium, headless, at phone width,
// against the real service that tests/browser/run.py --app started and seeded
// (its settings in CONSOLE_TEST): the location set by the test, a fake camera
// for the selfie. One TAP line per step; screenshots go to SCREENSHOT_DIR.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kioskCode, noRawJson, tap } from './tap.mjs';

// The kiosk's own encoder, loaded as the ES module it is (as a data: URL: beside no package.json saying so, an
// older node would read the .js file as CommonJS).
const qrSource = readFileSync(new URL('../../attendance-svc/console/kiosk/qr.js', import.meta.url), 'utf8');
const { qrModules } = await import(`data:text/javascript,${encodeURIComponent(qrSource)}`);

const cfg = JSON.parse(process.env.CONSOLE_TEST);
const shots = process.env.SCREENSHOT_DIR;
const base = `${cfg.url}/app/`;
const { ok, step, shot, plan } = tap('app', shots, 'app-');

// Every control the employee touches is at least 44 by 44 CSS pixels (WCAG 2.5.5).
async function smallTargets(page) {
  return page.evaluate(() => [...document.querySelectorAll('button, a[href], input:not([type=file]), select, textarea, label.button')]
    .filter((el) => el.offsetParent !== null && !el.classList.contains('skip'))
    .map((el) => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.width < 44 || r.height < 44)
    .map(([el, r]) => `${el.tagName.toLowerCase()}#${el.id || ''} ${Math.round(r.width)}x${Math.round(r.height)}`));
}

async function employeeApi(method, route) {
  const login = await fetch(`${cfg.url}/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: cfg.nip, password: cfg.new_password }),
  });
  const { access_token: token } = await login.json();
  const r = await fetch(`${cfg.url}${route}`, { method, headers: { Authorization: `Bearer ${token}` } });
  return r.json();
}

const place = (point) => ({ latitude: point[0], longitude: point[1], accuracy: 12 });

// The fake camera's picture (a Y4M file chromium plays in a loop): the kiosk's code of this period as a QR code,
// 6 px a module, on a grey wall, as a phone held at the entrance would see it.
function kioskVideo(text) {
  const modules = qrModules(text);
  const [w, h, scale] = [640, 480, 6];
  const side = (modules.length + 8) * scale;
  const left = (w - side) / 2, top = (h - side) / 2;
  const y = Buffer.alloc(w * h, 140);
  for (let py = 0; py < side; py++) {
    for (let px = 0; px < side; px++) {
      const mx = Math.floor(px / scale) - 4, my = Math.floor(py / scale) - 4;
      const dark = mx >= 0 && my >= 0 && mx < modules.length && my < modules.length && modules[my][mx];
      y[(top + py) * w + left + px] = dark ? 20 : 240;
    }
  }
  const file = path.join(os.tmpdir(), `kiosk-${process.pid}.y4m`);
  writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), y,
    Buffer.alloc(w * h / 2, 128)]));
  return file;
}
const kiosk = cfg.kiosk;
const kioskT = Math.floor(Date.now() / 1000 / kiosk.period_s);
const code = kioskCode(kiosk.secret, kiosk.kiosk_id, kioskT);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${kioskVideo(code)}`],
});
const problems = [];
try {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'id-ID',
    geolocation: place(cfg.office), permissions: ['geolocation', 'camera'],
  });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.setDefaultTimeout(15000);

  await step('the app opens on its sign-in page, in Indonesian, installable (a manifest with icons, a service worker)', async () => {
    await page.goto(base);
    await page.locator('h1', { hasText: 'Masuk' }).waitFor();
    await shot(page, 'signin');
    const manifest = await (await fetch(`${cfg.url}/app/manifest.webmanifest`)).json();
    const icons = await Promise.all(manifest.icons.map(async (i) => (await fetch(`${cfg.url}${i.src}`)).headers.get('content-type')));
    const worker = await page.evaluate(async () => (await navigator.serviceWorker.ready).active.scriptURL);
    return (await page.getAttribute('html', 'lang')) === 'id' && manifest.start_url === '/app/' && icons.every((t) => t === 'image/png') &&
      worker.endsWith('/app/sw.js');
  });

  await step('the keyboard goes through the sign-in page in reading order, with a visible focus', async () => {
    await page.focus('.skip'); // the first stop of the page
    const order = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const el = document.activeElement;
        return `${el.id || el.className}:${getComputedStyle(el).outlineStyle !== 'none'}`;
      }));
    }
    return order.join(' ') === 'lang:true nip:true password:true primary:true' ||
      ok(false, 'focus order', order.join(' '));
  });

  await step('a wrong password gets a friendly message, not JSON', async () => {
    await page.fill('#nip', cfg.nip);
    await page.fill('#password', 'salah sekali');
    await page.click('button[type=submit]');
    await page.locator('#signin-error', { hasText: 'salah' }).waitFor();
    await noRawJson(page);
  });

  await step('the password the admin set must be changed first; a weak one is refused with a message', async () => {
    await page.fill('#password', cfg.password);
    await page.click('button[type=submit]');
    await page.locator('h1', { hasText: 'Ganti kata sandi' }).waitFor();
    await shot(page, 'password');
    await page.fill('#current-password', cfg.password);
    await page.fill('#new-password', cfg.nip);
    await page.fill('#repeat-password', cfg.nip);
    await page.click('button[type=submit]');
    await page.locator('#password-error', { hasText: 'terlalu lemah' }).waitFor();
  });

  await step('the new password enrols this browser: an Ed25519 key made non-extractable, kept in IndexedDB', async () => {
    await page.fill('#new-password', cfg.new_password);
    await page.fill('#repeat-password', cfg.new_password);
    await page.click('button[type=submit]');
    await page.locator('h1', { hasText: 'Hari ini' }).waitFor();
    const key = await page.evaluate(async () => {
      const { loadDevice } = await import('/app/store.js');
      const d = await loadDevice();
      let exported = true;
      try { await crypto.subtle.exportKey('pkcs8', d.keys.privateKey); } catch { exported = false; }
      return { id: d.device_id, alg: d.keys.privateKey.algorithm.name, extractable: d.keys.privateKey.extractable, exported };
    });
    const devices = await employeeApi('GET', '/v1/devices');
    return key.alg === 'Ed25519' && !key.extractable && !key.exported && devices.items.some((d) => d.id === key.id || d.device_id === key.id);
  });

  await step("the day's screen shows the roster's mode (WFO, no entry) and the unit's hours", async () => {
    await page.locator('#day-mode').waitFor();
    const mode = await page.locator('#day-mode').innerText();
    await shot(page, 'today');
    return mode.includes('WFO') && (await page.locator('#mode').inputValue()) === 'WFO';
  });

  await step('the controls are 44 px or more, on the day screen', async () => {
    const small = await smallTargets(page);
    if (small.length) throw new Error(small.join('\n'));
  });

  let firstCheckin = null;
  await step('a selfie from the camera, then a check-in inside the geofence: accepted, inside, selfie attached, no violation', async () => {
    await page.click('#selfie-take');
    await page.locator('#camera').waitFor();
    await page.waitForFunction(() => document.getElementById('camera').videoWidth > 0);
    await page.click('#camera-take');
    await page.locator('#selfie-img').waitFor();
    await page.click('#checkin-in');
    await page.locator('#verdict-body').waitFor();
    await shot(page, 'verdict');
    const text = await page.locator('#verdict').innerText();
    const mine = await employeeApi('GET', '/v1/me/checkins');
    firstCheckin = mine.items[0];
    return text.includes('Di dalam area') && text.includes('Swafoto terlampir') && (await page.locator('#verdict-ok').count()) === 1 &&
      mine.items.length === 1 && firstCheckin.selfie_attached === true && firstCheckin.inside === true;
  });

  await step('a check-out from 370 m away: accepted and flagged outside the geofence, with the distance', async () => {
    await context.setGeolocation(place(cfg.far));
    await page.click('#checkin-out');
    await page.locator('#verdict-codes li[data-code=OUTSIDE_GEOFENCE]').waitFor();
    const text = await page.locator('#verdict-place').innerText();
    return /Di luar area yang sah: \d+ m/.test(text) && text.includes('Di luar');
  });

  await step('after a reload the device signs in by itself: no password asked, its records readable', async () => {
    const signIns = [];
    page.on('response', (r) => { if (r.url().endsWith('/v1/auth/device')) signIns.push(r.status()); });
    await page.reload();
    await page.locator('#day-mode').waitFor();
    await page.click('nav a[href="#/history"]');
    await page.locator('#checkins li').first().waitFor();
    const when = await page.locator('#checkins li').first().innerText();
    return /WIB/.test(when) && signIns.length === 1 && signIns[0] === 200 && (await page.locator('#nip').count()) === 0;
  });

  await step('with no network a check-in is signed and queued; when the network returns it is sent once: one row', async () => {
    await page.click('nav a[href="#/today"]');
    await page.locator('#checkin-in').waitFor();
    await context.setGeolocation(place(cfg.office));
    const before = (await employeeApi('GET', '/v1/me/checkins')).items.length;
    await context.setOffline(true);
    await page.click('#checkin-in');
    await page.locator('#queue li[data-state=waiting]').waitFor();
    await shot(page, 'queued');
    await context.setOffline(false);
    await page.locator('#queue li[data-state=waiting]').waitFor({ state: 'detached', timeout: 20000 });
    const entry = await page.evaluate(async () => {
      const { queued } = await import('/app/store.js');
      return (await queued()).sort((a, b) => b.queued_at.localeCompare(a.queued_at))[0];
    });
    // The phone retrying the same bytes (as a lost answer would make it): the same check-in, no second row.
    const again = await page.evaluate(async (e) => {
      const form = new FormData();
      form.append('payload', new Blob([e.payload], { type: 'application/json' }));
      form.append('signature', e.signature);
      const r = await fetch('/v1/checkins', { method: 'POST', body: form });
      return { status: r.status, body: await r.json() };
    }, entry);
    const after = (await employeeApi('GET', '/v1/me/checkins')).items.length;
    return entry.state === 'accepted' && after === before + 1 && again.status === 200 &&
      again.body.checkin_id === entry.answer.checkin_id;
  });

  await step("at the office with no network the kiosk's code is read from the camera and the check-in queued; sent later, it is placed and timed by the code", async () => {
    await page.locator('#kiosk-scan').click();
    await page.locator('#kiosk-code', { hasText: `Kode kios ${kiosk.kiosk_id} terbaca` }).waitFor();
    await context.setGeolocation(place(cfg.far)); // a poor fix inside the building: the code places it
    await context.setOffline(true);
    await page.click('#checkin-in');
    await page.locator('#queue li[data-state=waiting]').waitFor();
    await context.setOffline(false);
    await page.locator('#queue li[data-state=waiting]').waitFor({ state: 'detached', timeout: 20000 });
    const entry = await page.evaluate(async () => {
      const { queued } = await import('/app/store.js');
      return (await queued()).sort((a, b) => b.queued_at.localeCompare(a.queued_at))[0];
    });
    const codes = entry.answer.violations.map((v) => v.code);
    const shown = await page.locator('#queue li').first().innerText();
    return JSON.parse(entry.payload).presence === code && entry.answer.geofence.place === `office:${cfg.office_id}` &&
      !codes.includes('OUTSIDE_GEOFENCE') && !codes.includes('PRESENCE_INVALID') && !codes.includes('LATE_SYNC') &&
      shown.includes('Diterima');
  });

  await step("the app's own reader reads a kiosk code turned and shrunk, and refuses one with a module changed", async () => {
    const read = await page.evaluate(async ({ text }) => {
      const { qrModules } = await import('/kiosk/qr.js');
      const { readCode } = await import('/app/scan.js');
      const frame = (modules, angle, scale) => {
        const [w, h, n] = [480, 360, modules.length];
        const img = new ImageData(w, h);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const dx = x - w / 2, dy = y - h / 2;
            const u = (Math.cos(angle) * dx + Math.sin(angle) * dy) / scale + n / 2;
            const v = (-Math.sin(angle) * dx + Math.cos(angle) * dy) / scale + n / 2;
            const inQuiet = u >= -4 && v >= -4 && u < n + 4 && v < n + 4;
            const dark = u >= 0 && v >= 0 && u < n && v < n && modules[Math.floor(v)][Math.floor(u)];
            const value = !inQuiet ? 120 : dark ? 35 : 225;
            img.data.set([value, value, value, 255], 4 * (y * w + x));
          }
        }
        return img;
      };
      const modules = qrModules(text);
      const changed = modules.map((row) => row.slice());
      changed[modules.length - 2][modules.length - 3] = !changed[modules.length - 2][modules.length - 3];
      return [readCode(frame(modules, 0.12, 5)), readCode(frame(modules, -0.3, 4)), readCode(frame(changed, 0, 5))];
    }, { text: code });
    return read[0] === code && read[1] === code && read[2] === null;
  });

  await step('the history lists the violations; an explanation is sent on a pending one and shown', async () => {
    await page.click('nav a[href="#/history"]');
    const item = page.locator('li[data-code=OUTSIDE_GEOFENCE]');
    await item.locator('summary').waitFor();
    await shot(page, 'history');
    await item.locator('summary').click();
    const form = item.locator('form.explain');
    await form.locator('textarea').fill('Saya dipanggil rapat di kantor wali kota.');
    await form.locator('button').click();
    await page.locator('li[data-code=OUTSIDE_GEOFENCE] q', { hasText: 'rapat' }).waitFor();
    const stored = await employeeApi('GET', '/v1/me/violations');
    return stored.items.some((v) => v.code === 'OUTSIDE_GEOFENCE' && v.explanation && v.explanation.text.includes('rapat'));
  });

  await step('a permission (izin) for some hours is requested and listed as pending', async () => {
    await page.click('nav a[href="#/leave"]');
    await page.locator('#leave-form').waitFor();
    const day = new Date(Date.now() + 86400000 * 7);
    while ([0, 6].includes(day.getDay())) day.setDate(day.getDate() + 1);
    const date = day.toISOString().slice(0, 10);
    await page.selectOption('#leave-kind', 'izin');
    await page.fill('#leave-from', date);
    await page.fill('#leave-to', date);
    await page.fill('#leave-start', '09:00');
    await page.fill('#leave-end', '11:00');
    await page.fill('#leave-reason', 'Mengurus KTP di kelurahan');
    await page.click('#leave-form button[type=submit]');
    await page.locator('#leave-list li .badge.pending').waitFor();
    await shot(page, 'leave');
    const small = await smallTargets(page);
    if (small.length) throw new Error(small.join('\n'));
    const mine = await employeeApi('GET', '/v1/me/leave');
    return mine.items.length === 1 && mine.items[0].kind === 'izin' && mine.items[0].start === '09:00';
  });

  await step('the home is registered from its location and waits for the supervisor', async () => {
    await context.setGeolocation(place(cfg.home));
    await page.click('nav a[href="#/home"]');
    await page.fill('#home-address', 'Jl. Kenanga No. 5, Jakarta Timur');
    await page.click('#home-locate');
    await page.locator('#home-point', { hasText: 'Titik' }).waitFor();
    await page.click('#home-form button[type=submit]');
    await page.locator('#homes li[data-status=pending]').waitFor();
    await shot(page, 'home');
    const homes = await employeeApi('GET', '/v1/homes');
    return homes.items.length === 1 && Math.abs(homes.items[0].lat - cfg.home[0]) < 1e-6;
  });

  await step('English is the second language', async () => {
    await page.click('nav a[href="#/today"]');
    await page.selectOption('#lang', 'en');
    await page.locator('h1', { hasText: 'Today' }).waitFor();
    const text = await page.locator('#checkin-in').innerText();
    await page.selectOption('#lang', 'id');
    return text === 'Check in' && (await page.getAttribute('html', 'lang')) === 'id';
  });

  ok(problems.length === 0, 'no script error or Content-Security-Policy violation in the app', problems.join('\n'));
  await context.close();
} finally {
  await browser.close();
}
process.exit(plan());
