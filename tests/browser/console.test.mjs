// The review console in Debian's chromium, headless, against the real service
// that tests/browser/run.py started and seeded (its settings in CONSOLE_TEST).
// One TAP line per step; screenshots of the main pages go to SCREENSHOT_DIR.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { kioskCode, noRawJson, tap } from './tap.mjs';

const cfg = JSON.parse(process.env.CONSOLE_TEST);
const shots = process.env.SCREENSHOT_DIR;
const base = `${cfg.url}/console/`;
const { ok, step, shot, plan } = tap('browser', shots);

async function apiAs(username, method, route, body) {
  const login = await fetch(`${cfg.url}/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: cfg.password }),
  });
  const { access_token: token } = await login.json();
  const r = await fetch(`${cfg.url}${route}`, {
    method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json() };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
  const page = await context.newPage();
  // A failed request (401 before signing in, the 409 of the conflict) is logged by chromium too: not a problem.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.setDefaultTimeout(10000);
  const [first, second] = cfg.violations;

  await step('the console opens on its sign-in page, in Indonesian', async () => {
    await page.goto(base);
    await page.locator('h1', { hasText: 'Masuk' }).waitFor();
    await shot(page, 'login');
    return (await page.getAttribute('html', 'lang')) === 'id';
  });

  await step('the sign-in form is reachable by keyboard, with a visible focus', async () => {
    for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement.id)) !== 'username'; i++) await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    return (await page.evaluate(() => document.activeElement.id)) === 'username' && outline !== 'none';
  });

  await step('a wrong password gets a friendly message, not JSON', async () => {
    await page.fill('#username', cfg.reviewer);
    await page.fill('#password', 'wrong password');
    await page.press('#password', 'Enter');
    await page.locator('[role=alert]', { hasText: 'salah' }).waitFor();
    await noRawJson(page);
  });

  await step('sign in (the session cookie is HttpOnly and unreadable by the page)', async () => {
    await page.fill('#username', cfg.reviewer);
    await page.fill('#password', cfg.password);
    await page.click('button[type=submit]');
    await page.locator('h1', { hasText: 'Antrean pelanggaran' }).waitFor();
    const visible = await page.evaluate(() => document.cookie);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'attendance_session');
    return !visible.includes('attendance_session') && session && session.httpOnly && session.sameSite === 'Strict';
  });

  await step('filter the queue by kind: only that kind is listed', async () => {
    await page.selectOption('#code', 'OUTSIDE_GEOFENCE');
    await page.selectOption('#status', 'pending');
    await page.click('text=Terapkan');
    await page.waitForFunction(() => location.hash.includes('code=OUTSIDE_GEOFENCE'));
    await page.locator('tr[data-violation]').first().waitFor();
    const kinds = await page.locator('tr[data-violation] td:nth-child(4)').allInnerTexts();
    await shot(page, 'queue');
    return kinds.length === cfg.violations.length && kinds.every((k) => k === 'Di luar area kantor');
  });

  await step('open a violation: the point, its distance and the geofence drawn', async () => {
    await page.click(`tr[data-violation="${first.id}"] a.open`);
    await page.locator('h1', { hasText: first.employee }).waitFor();
    await page.locator('svg.map circle.map-fence').waitFor();
    const distance = await page.locator('#distance').innerText();
    return /\d+\s*m/.test(distance) && (await page.locator('svg.map circle.map-point').count()) === 1;
  });

  await step("the phone's time, the service's and the judged one side by side, and why", async () => {
    const cells = await page.locator('#times tbody td').allInnerTexts();
    const why = await page.locator('#judged-why').innerText();
    return cells.length === 3 && cells.every((c) => /\d\d[.:]\d\d/.test(c)) && /waktu ponsel/i.test(why);
  });

  await step('see the selfie (a reviewer may)', async () => {
    const img = page.locator('img.selfie');
    await img.waitFor();
    await page.waitForFunction(() => { const i = document.querySelector('img.selfie'); return i && i.complete && i.naturalWidth > 0; });
    await shot(page, 'detail');
    return (await img.evaluate((i) => i.naturalWidth)) === 96;
  });

  await step('confirm it with a note, no sanction (that is decided on a case)', async () => {
    await page.check('input[name=decision][value=confirmed]');
    if (await page.locator('#sanction').count()) throw new Error('a sanction control on a violation');
    await page.fill('#note', 'Absen di luar kantor tanpa surat tugas.');
    await page.click('text=Simpan keputusan');
    await page.locator('.notice.success').waitFor();
    const status = await page.locator('#status').innerText();
    const stored = await apiAs(cfg.reviewer2, 'GET', `/v1/violations/${first.id}`);
    return status === 'Dikonfirmasi' && stored.body.status === 'confirmed' && stored.body.decision.sanction === null;
  });

  await step('the conflict is shown when a second session decided first', async () => {
    await page.goto(`${base}#/violations/${second.id}`);
    await page.locator('h1', { hasText: second.employee }).waitFor();
    await page.check('input[name=decision][value=confirmed]');
    // Meanwhile the other reviewer dismisses it.
    const other = await apiAs(cfg.reviewer2, 'POST', `/v1/violations/${second.id}/decision`,
      { decision: 'dismissed', sanction: null, note: 'Surat tugas ada.', version: 1 });
    if (other.status !== 200) throw new Error(`second reviewer: ${other.status}`);
    await page.click('text=Simpan keputusan');
    const message = page.locator('.notice.conflict');
    await message.waitFor();
    await noRawJson(page);
    await page.locator('#status', { hasText: 'Dibatalkan' }).waitFor();
    await shot(page, 'conflict');
    return (await message.innerText()).includes('lebih dulu');
  });

  await step('HTML and SQL in a note are shown as text, never run', async () => {
    const third = cfg.violations[2];
    const note = `<img src=x onerror="window.__xss=1"> '; DROP TABLE violations; --`;
    const r = await apiAs(cfg.reviewer2, 'POST', `/v1/violations/${third.id}/decision`, { decision: 'dismissed', sanction: null, note, version: 1 });
    if (r.status !== 200) throw new Error(`decision: ${r.status}`);
    await page.goto(`${base}#/violations/${third.id}`);
    await page.locator('h1', { hasText: third.employee }).waitFor();
    const shown = await page.locator('main q').first().innerText();
    const injected = await page.evaluate(() => document.querySelectorAll('main img:not(.selfie)').length + (window.__xss ? 1 : 0));
    return shown.includes(note) && injected === 0;
  });

  await step("the employee's explanation beside the evidence", async () => {
    await page.goto(`${base}#/violations/${cfg.absent_id}`);
    await page.locator('h2', { hasText: 'Penjelasan pegawai' }).waitFor();
    return (await page.locator('blockquote.explanation').innerText()).includes('Ban motor bocor');
  });

  await step("the employee's discipline summary for the year", async () => {
    await page.goto(`${base}#/violations/${first.id}`);
    await page.locator('h1', { hasText: first.employee }).waitFor();
    await page.click('text=Rekap disiplin tahun ini');
    await page.locator('h1', { hasText: 'Rekap disiplin' }).waitFor();
    await page.locator('#absent-days').waitFor();
    await shot(page, 'discipline');
    await noRawJson(page);
  });

  await step("the unit's day", async () => {
    await page.goto(`${base}#/units/day?unit_id=${cfg.unit_id}`);
    await page.locator('h1', { hasText: 'Hari unit' }).waitFor();
    await page.locator('.unitday table.list, .unitday .notice, .error-page').first().waitFor();
    await shot(page, 'unit-day');
    await noRawJson(page);
    const hours = await page.locator('#day-hours').innerText();
    const editors = await page.locator('#roster-editor').count(); // a reviewer reads the roster, never edits it
    if (!hours.includes('07:30') || editors !== 0) throw new Error(`hours ${hours}, editors ${editors}`);
    const sources = await page.locator('.unitday > table.list .source').allInnerTexts();
    return (await page.locator('.unitday > table.list tbody tr').count()) === cfg.violations.length &&
      sources.length === 1 && sources[0].includes('daftar hadir kertas');
  });

  await step("a supervisor rosters a rest day and a night shift on the unit's day", async () => {
    const sup = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
    const p2 = await sup.newPage();
    p2.on('pageerror', (e) => problems.push(String(e)));
    p2.setDefaultTimeout(10000);
    try {
      await p2.goto(base);
      await p2.fill('#username', cfg.supervisor);
      await p2.fill('#password', cfg.password);
      await p2.click('button[type=submit]');
      await p2.locator('h1', { hasText: 'Antrean pelanggaran' }).waitFor();
      const day = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10); // today in Jakarta
      await p2.goto(`${base}#/units/day?unit_id=${cfg.unit_id}&date=${day}`);
      await p2.locator('#roster-editor').waitFor();
      const [resting, night] = cfg.violations;
      await p2.selectOption(`select[name="mode-${resting.employee_id}"]`, 'OFF');
      await p2.fill(`input[name="start-${night.employee_id}"]`, '21:00');
      await p2.fill(`input[name="end-${night.employee_id}"]`, '07:00');
      await p2.click('#roster-editor button[type=submit]');
      await p2.locator('.notice', { hasText: 'Jadwal disimpan' }).waitFor();
      await p2.locator('#roster-editor').waitFor();
      const rows = await p2.locator('.unitday > table.list tbody tr').allInnerTexts();
      await shot(p2, 'roster');
      await noRawJson(p2);
      const stored = await apiAs(cfg.supervisor, 'GET', `/v1/units/${cfg.unit_id}/roster/${day}`);
      const byId = Object.fromEntries(stored.body.entries.map((e) => [e.employee_id, e]));
      const shown = rows.join('\n');
      if (!shown.includes('Libur') || !shown.includes('WFO 21:00–07:00 (hari berikutnya)')) throw new Error(`rows: ${shown}`);
      return byId[resting.employee_id].mode === 'OFF' && byId[night.employee_id].start === '21:00' &&
        byId[night.employee_id].end === '07:00' && stored.body.off === 1;
    } finally {
      await sup.close();
    }
  });

  await step('the export runs with their files', async () => {
    await page.click('nav a[href="#/exports"]');
    await page.locator('h1', { hasText: 'Ekspor harian' }).waitFor();
    const runs = page.locator('tr[data-run]');
    await runs.first().waitFor();
    const outcomes = await page.locator('tr[data-run] > td:nth-child(2)').allInnerTexts();
    const done = runs.filter({ hasText: 'Berhasil' });
    await done.locator('summary').click();
    const files = await done.locator('table.files tbody tr td:first-child').allInnerTexts();
    const hashes = await done.locator('table.files code.hash').allInnerTexts();
    await shot(page, 'exports');
    await noRawJson(page);
    const seen = JSON.stringify({ outcomes, files, hashes });
    if (outcomes.length !== 2 || outcomes[0] !== 'Gagal: unggahan' || outcomes[1] !== 'Berhasil') throw new Error(`the runs: ${seen}`);
    return files.length === 5 && files[4].startsWith('manifest_') && hashes.every((x) => /^[0-9a-f]{64}$/.test(x));
  });

  await step('English is the second language', async () => {
    await page.goto(`${base}#/violations`);
    await page.selectOption('#lang', 'en');
    await page.locator('h1', { hasText: 'Violation queue' }).waitFor();
    await page.selectOption('#lang', 'id');
    await page.locator('h1', { hasText: 'Antrean pelanggaran' }).waitFor();
  });

  await step('phone width: the queue, a violation and the exports fit the screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}#/violations`);
    await phone.locator('tr[data-violation]').first().waitFor();
    const fitsQueue = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await shot(phone, 'phone-queue');
    await phone.goto(`${base}#/violations/${first.id}`);
    await phone.locator('svg.map').waitFor();
    const fitsDetail = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await shot(phone, 'phone-detail');
    await phone.goto(`${base}#/exports`);
    await phone.locator('tr[data-run]').first().waitFor();
    const fitsExports = await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await phone.close();
    return fitsQueue && fitsDetail && fitsExports;
  });

  await step('sign out: back to the sign-in page, and the queue needs a session again', async () => {
    await page.click('#signout');
    await page.locator('.notice', { hasText: 'Anda telah keluar' }).waitFor();
    const cookies = await context.cookies();
    await page.goto(`${base}#/violations`);
    await page.locator('h1', { hasText: 'Masuk' }).waitFor();
    return !cookies.some((c) => c.name === 'attendance_session' && c.value);
  });

  await step("the supervisor's leave queue: the request with its letter, approved", async () => {
    await page.fill('#username', cfg.supervisor);
    await page.fill('#password', cfg.password);
    await page.click('button[type=submit]');
    await page.locator('h1', { hasText: 'Antrean pelanggaran' }).waitFor();
    await page.click('nav a[href="#/leave"]');
    const row = page.locator(`tr[data-leave="${cfg.leave_id}"]`);
    await row.waitFor();
    const href = await row.locator('a.attachment').getAttribute('href');
    const letter = await page.evaluate(async (url) => { const r = await fetch(url); return `${r.status} ${r.headers.get('content-type')}`; }, href);
    await shot(page, 'leave-queue');
    await row.locator('button[data-decide=approved]').click();
    await page.locator('.notice.success', { hasText: 'disetujui' }).waitFor();
    const stored = await apiAs(cfg.supervisor, 'GET', `/v1/leave/${cfg.leave_id}`);
    await noRawJson(page);
    return letter === '200 application/pdf' && stored.body.status === 'approved' && (await row.count()) === 0;
  });

  await step("the unit's day shows who is on leave", async () => {
    await page.goto(`${base}#/units/day?unit_id=${cfg.unit_id}&date=${cfg.leave_from}`);
    await page.locator('.unitday > table.list').waitFor();
    const onLeave = await page.locator('.unitday > table.list .badge.on_leave').allInnerTexts();
    const kinds = await page.locator('.unitday > table.list span.leave').allInnerTexts();
    return onLeave.length === 1 && onLeave[0] === 'Cuti/izin' && kinds[0].includes('Cuti sakit');
  });

  // A discipline case from summons to decision (PP 94/2021): the direct superior summons the employee on its
  // confirmed violation and records the examination, the employee states its side, a reviewer decides.
  let caseId = null;
  await step('the supervisor summons the employee on its confirmed violation and records the examination', async () => {
    const year = new Date().getFullYear();
    await page.goto(`${base}#/employees/${first.employee_id}/discipline?year=${year}`);
    await page.locator('#case-summon').waitFor();
    const listed = await page.locator('#case-summon input[name=violation]').count();
    await page.fill('#summoned-for', `${year + 1}-01-05T09:00`);
    await page.click('#case-summon button[type=submit]');
    await page.locator('#case-examine').waitFor();
    caseId = page.url().split('/cases/')[1];
    await page.fill('#record', 'BAP: hadir, mengakui berada di luar kantor tanpa surat tugas.');
    await page.click('#case-examine button[type=submit]');
    await page.locator('#case-state', { hasText: 'Diperiksa' }).waitFor();
    await noRawJson(page);
    const stored = await apiAs(cfg.supervisor, 'GET', `/v1/discipline/cases/${caseId}`);
    return listed === 1 && stored.body.status === 'examined' && stored.body.violations[0].id === first.id;
  });

  await step("the reviewer decides the case, the employee's statement beside the evidence", async () => {
    const said = await apiAs(first.nip, 'POST', `/v1/discipline/cases/${caseId}/statement`, { text: 'Saya mengantar ibu ke rumah sakit.' });
    if (said.status !== 200) throw new Error(`statement: ${said.status}`);
    const rev = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
    const p3 = await rev.newPage();
    p3.on('pageerror', (e) => problems.push(String(e)));
    p3.setDefaultTimeout(10000);
    try {
      await p3.goto(base);
      await p3.fill('#username', cfg.reviewer);
      await p3.fill('#password', cfg.password);
      await p3.click('button[type=submit]');
      await p3.locator('h1', { hasText: 'Antrean pelanggaran' }).waitFor();
      await p3.goto(`${base}#/cases`);
      await p3.locator(`a[href="#/cases/${caseId}"]`).first().waitFor();
      await shot(p3, 'cases');
      await p3.goto(`${base}#/cases/${caseId}`);
      await p3.locator('#case-decision').waitFor();
      const statement = await p3.locator('#case-statement').innerText();
      await p3.selectOption('#case-sanction', 'teguran_lisan');
      await p3.click('#case-decision button[type=submit]');
      await p3.locator('#case-decision .error').waitFor(); // no suggestion: a sanction needs a reason
      await p3.fill('#case-reason', 'Satu hari di luar kantor tanpa izin; teguran lisan.');
      await p3.click('#case-decision button[type=submit]');
      await p3.locator('#case-decided').waitFor();
      await shot(p3, 'case');
      await noRawJson(p3);
      const stored = await apiAs(cfg.reviewer, 'GET', `/v1/discipline/cases/${caseId}`);
      return statement.includes('mengantar ibu') && stored.body.status === 'decided' &&
        stored.body.decision.sanction === 'teguran_lisan';
    } finally {
      await rev.close();
    }
  });

  // The office's kiosks (issue 26): an admin makes one on the office page, the link provisions the tablet's page,
  // which draws a code the service would accept, as a QR code that a decoder reads, renewed with no network.
  const admin = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'id-ID' });
  const adminPage = await admin.newPage();
  adminPage.on('pageerror', (e) => problems.push(String(e)));
  adminPage.on('dialog', (d) => d.accept());
  adminPage.setDefaultTimeout(10000);
  let made = null;
  await step('an admin makes a kiosk on the office page: the provisioning link and the secret, shown once', async () => {
    await adminPage.goto(base);
    await adminPage.fill('#username', cfg.admin);
    await adminPage.fill('#password', cfg.password);
    await adminPage.click('button[type=submit]');
    await adminPage.locator('#nav a', { hasText: 'Kantor & kios' }).click();
    await adminPage.locator(`tr[data-office="${cfg.office_id}"] a`).waitFor();
    await shot(adminPage, 'offices');
    await adminPage.locator(`tr[data-office="${cfg.office_id}"] a`).click();
    await adminPage.fill('#kiosk-label', 'Lobi utama');
    await adminPage.click('#new-kiosk button[type=submit]');
    await adminPage.locator('#provision-link').waitFor();
    made = { link: await adminPage.getAttribute('#provision-link', 'href'), secret: await adminPage.locator('#kiosk-secret').innerText() };
    await adminPage.reload();
    await adminPage.locator('tr[data-kiosk]').first().waitFor();
    await shot(adminPage, 'office-kiosks');
    const gone = (await adminPage.locator('#kiosk-secret').count()) === 0;
    const listed = await adminPage.locator('tr[data-kiosk] .last-use').innerText();
    return gone && listed === 'belum pernah' && made.link.includes('/kiosk/#kiosk_id=') && made.secret.length === 43;
  });

  const expected = (id, t) => kioskCode(made.secret, id, t);
  const kiosk = await admin.newPage();
  kiosk.on('pageerror', (e) => problems.push(String(e)));
  kiosk.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  let firstCode = null;
  await step('the kiosk page, provisioned by the link, shows the code of the current period as a QR code a decoder reads', async () => {
    await kiosk.goto(made.link);
    await kiosk.waitForFunction(() => document.getElementById('code').dataset.code);
    firstCode = await kiosk.evaluate(() => document.getElementById('code').dataset.code);
    const [, id, t] = firstCode.split('.');
    const file = path.join(shots, 'kiosk-code.png');
    await kiosk.locator('#code').screenshot({ path: file });
    const read = execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8' }).trim();
    await shot(kiosk, 'kiosk');
    const secretGone = await kiosk.evaluate(() => !location.href.includes('secret'));
    const nowT = Math.floor(Date.now() / 30000);
    if (read !== firstCode) throw new Error(`the QR code reads ${read}, the page says ${firstCode}`);
    return secretGone && firstCode === expected(id, t) && Math.abs(Number(t) - nowT) <= 1;
  });

  await step('with no network the kiosk page opens again from the tablet and renews its code each period', async () => {
    await kiosk.evaluate(() => navigator.serviceWorker.ready);
    await admin.setOffline(true);
    await kiosk.goto(`${cfg.url}/kiosk/`);
    await kiosk.waitForFunction(() => document.getElementById('code').dataset.code);
    await kiosk.waitForFunction((before) => document.getElementById('code').dataset.code !== before, firstCode, { timeout: 35000 });
    const next = await kiosk.evaluate(() => document.getElementById('code').dataset.code);
    await admin.setOffline(false);
    const [, id, t] = next.split('.');
    return Number(t) === Number(firstCode.split('.')[2]) + 1 && next === expected(id, t);
  });

  await step('the admin revokes the kiosk on the office page', async () => {
    await adminPage.locator('tr[data-kiosk] button.revoke').click();
    await adminPage.locator('tr[data-kiosk] .badge', { hasText: 'dicabut' }).waitFor();
    return (await adminPage.locator('tr[data-kiosk] button.revoke').count()) === 0;
  });
  await admin.close();

  ok(problems.length === 0, 'no script error or Content-Security-Policy violation in the console', problems.join('\n'));
  await context.close();
} finally {
  await browser.close();
}
process.exit(plan());
