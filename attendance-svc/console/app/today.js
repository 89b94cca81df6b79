// The day's screen: the rostered mode and hours, the arrival and departure so
// far, and the check-in itself: the point from the Geolocation API with its
// accuracy, the selfie's SHA-256, the payload signed at once by the device
// and queued (store.js), then sent (queue.js); the service's verdict shown,
// or the check-in kept waiting for the network with its signature unchanged.
import { ApiError, errorMessage, get, signedIn } from './api.js';
import { go, notice, session } from './app.js';
import { scanKiosk, takeSelfie } from './camera.js';
import { nonce, sha256Hex, signJson } from './device.js';
import { flushQueue } from './queue.js';
import { dropQueued, putQueued, queued } from './store.js';
import { h, clear } from '/console/dom.js';
import { time, day as dayText, metres } from '/console/format.js';
import { t } from '/console/i18n.js';

const DAY_KEY = 'attendance.app.day'; // the last day read, for a morning with no network
const state = { selfie: null, presence: null };

async function readDay() {
  if (signedIn()) {
    try {
      const day = await get('/v1/me/day');
      localStorage.setItem(DAY_KEY, JSON.stringify(day));
      session.timezone = day.timezone;
      return day;
    } catch (err) {
      if (err.status !== 0) throw err;
    }
  }
  try { return JSON.parse(localStorage.getItem(DAY_KEY)); } catch { return null; }
}

function locate() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new ApiError(0, 'geo_unavailable')); return; }
    navigator.geolocation.getCurrentPosition(resolve, (e) => reject(new ApiError(0, e.code === 1 ? 'geo_denied' : e.code === 3 ? 'geo_timeout' : 'geo_unavailable')),
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
  });
}

function row(label, value, id) {
  return [h('dt', {}, label), h('dd', { id }, value)];
}

function dayPanel(day) {
  if (!day) return h('p', { class: 'muted' }, t('app.day.unknown'));
  const hours = day.hours && day.hours.work_day && day.hours.work_hours ? day.hours.work_hours.join('–') : t('app.day.no_work');
  const shift = day.start && day.end ? `${day.start}–${day.end}` : hours;
  return h('dl', { class: 'facts' },
    row(t('app.day.mode'), t(`app.mode.${day.mode}`), 'day-mode'),
    row(t('app.day.hours'), shift, 'day-hours'),
    row(t('app.day.state'), t(`app.state.${day.state}`), 'day-state'),
    row(t('app.day.first_in'), time(day.first_in, day.timezone), 'first-in'),
    row(t('app.day.last_out'), time(day.last_out, day.timezone), 'last-out'),
    day.leave ? row(t('app.day.leave'), t(`leave.kind.${day.leave.kind}`), 'day-leave') : null);
}

// The service's answer to one check-in, for a person.
export function verdict(entry, timeZone) {
  if (entry.state === 'waiting') return h('p', { class: 'notice info' }, t('app.queue.waiting_one'));
  if (entry.state === 'rejected') return h('p', { class: 'notice error' }, errorMessage(entry.error));
  const a = entry.answer || {};
  const g = a.geofence || {};
  const kind = t(`app.type.${JSON.parse(entry.payload).type}`);
  const codes = (a.violations || []).map((v) => v.code);
  const byKiosk = Boolean(JSON.parse(entry.payload).presence) && !codes.includes('PRESENCE_INVALID');
  const placeText = g.inside ? t('app.verdict.inside')
    : byKiosk && !codes.includes('PRESENCE_MISMATCH') ? t('app.verdict.kiosk_place', { distance: metres(g.distance_m) })
      : t('app.verdict.outside', { distance: metres(g.distance_m) });
  return h('div', { class: codes.length ? 'verdict flagged' : 'verdict clean', id: 'verdict-body' },
    h('p', { class: 'verdict-title' }, t('app.verdict.accepted', { kind, time: time(a.judged_at, timeZone) })),
    h('p', { id: 'verdict-place' }, placeText),
    h('p', {}, a.selfie_attached ? t('app.verdict.selfie') : t('app.verdict.no_selfie')),
    byKiosk ? h('p', { id: 'verdict-kiosk' }, t('app.verdict.kiosk')) : null,
    codes.length ? h('ul', { id: 'verdict-codes' }, codes.map((c) => h('li', { 'data-code': c }, t(`code.${c}`))))
      : h('p', { id: 'verdict-ok' }, t('app.verdict.no_violation')));
}

async function drawQueue(list, timeZone) {
  const entries = (await queued()).sort((a, b) => b.queued_at.localeCompare(a.queued_at)).slice(0, 10);
  clear(list);
  if (!entries.length) return;
  list.append(h('h2', {}, t('app.queue.title')));
  const ul = h('ul', { class: 'queue' });
  for (const e of entries) {
    const p = JSON.parse(e.payload);
    ul.append(h('li', { 'data-nonce': e.nonce, 'data-state': e.state },
      h('span', {}, `${t(`app.type.${p.type}`)} · ${time(p.captured_at, timeZone)}`),
      h('span', { class: `badge ${e.state}` }, t(`app.queue.${e.state}`)),
      e.state === 'accepted' && e.answer ? h('span', { class: 'codes' }, (e.answer.violations || []).map((v) => t(`code.${v.code}`)).join(', ')) : null,
      e.state === 'rejected' ? h('span', { class: 'codes' }, errorMessage(e.error)) : null));
  }
  const done = entries.filter((e) => e.state !== 'waiting');
  list.append(ul, done.length ? h('button', {
    type: 'button', id: 'queue-clear',
    onclick: async () => { for (const e of done) await dropQueued(e.nonce); drawQueue(list, timeZone); },
  }, t('app.queue.clear')) : null);
}

async function checkIn(type, mode, out) {
  const device = session.device;
  clear(out).append(h('p', { class: 'notice info' }, t('app.checkin.locating')));
  let position;
  try {
    position = await locate();
  } catch (err) {
    clear(out).append(h('p', { class: 'notice error', role: 'alert' }, errorMessage(err)));
    return;
  }
  const selfie = state.selfie;
  const body = {
    device_id: device.device_id, type, mode,
    captured_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lat: position.coords.latitude, lon: position.coords.longitude, accuracy_m: position.coords.accuracy,
    mock_location: false, // a browser cannot tell; the office's kiosk code proves the place instead
    nonce: nonce(), selfie_sha256: selfie ? await sha256Hex(selfie) : null,
  };
  if (state.presence) body.presence = state.presence;
  const { payload, signature } = await signJson(device, body);
  const entry = { nonce: body.nonce, payload, signature, selfie, state: 'waiting', answer: null, error: null, queued_at: new Date().toISOString() };
  await putQueued(entry); // kept before it is sent: a closed tab or a lost network loses nothing
  state.selfie = null;
  state.presence = null;
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register('checkins'); // the service worker sends it when the network returns
  } catch { /* no background sync: the page sends it when it is open and online */ }
  const after = (await flushQueue()).find((e) => e.nonce === entry.nonce) || entry;
  return after;
}

export async function todayView(root) {
  const day = await readDay();
  const tz = day ? day.timezone : undefined;
  root.append(h('h1', {}, day ? t('app.today.title_on', { date: dayText(day.date) }) : t('app.today.title')));
  if (session.offline) root.append(h('p', { class: 'notice info', id: 'offline' }, t('app.offline')));
  root.append(h('section', { 'aria-labelledby': 'day-h' }, h('h2', { id: 'day-h' }, t('app.day.title')), dayPanel(day)));

  const modeSelect = h('select', { id: 'mode' },
    ['WFO', 'WFH'].map((m) => h('option', { value: m, selected: day && day.mode === m }, t(`app.mode.${m}`))));
  const preview = h('div', { id: 'selfie-preview', class: 'preview' });
  const camera = h('div', { id: 'camera-panel', class: 'camera', hidden: true });
  const out = h('div', { id: 'verdict', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { id: 'queue' });
  const fileInput = h('input', { type: 'file', id: 'selfie-file', accept: 'image/jpeg,image/png', capture: 'user', class: 'visually-hidden' });
  const showSelfie = (blob) => {
    state.selfie = blob;
    clear(preview);
    if (blob) preview.append(h('img', { src: URL.createObjectURL(blob), alt: t('app.selfie.preview'), id: 'selfie-img' }));
  };
  fileInput.addEventListener('change', () => {
    const file = fileInput.files[0];
    if (file && file.size > 2 * 1024 * 1024) { notice(t('err.payload_too_large'), 'error'); return; }
    if (file) showSelfie(file);
  });
  const take = h('button', {
    type: 'button', id: 'selfie-take',
    onclick: async () => {
      try { showSelfie(await takeSelfie(camera) || state.selfie); } catch { fileInput.click(); }
    },
  }, t('app.selfie.take'));
  const kioskNote = h('p', { id: 'kiosk-code', class: 'muted' }, t('app.kiosk.none'));
  const scan = h('button', {
    type: 'button', id: 'kiosk-scan',
    onclick: async () => {
      try {
        const text = await scanKiosk(camera);
        if (text) {
          state.presence = text;
          kioskNote.textContent = t('app.kiosk.read', { kiosk: text.split('.')[1] });
        }
      } catch {
        notice(t('err.camera_unavailable'), 'error');
      }
    },
  }, t('app.kiosk.scan'));
  const buttons = ['in', 'out'].map((type) => h('button', {
    type: 'button', id: `checkin-${type}`, class: type === 'in' ? 'primary big' : 'big',
    onclick: async (e) => {
      for (const b of buttons) b.disabled = true;
      try {
        const entry = await checkIn(type, modeSelect.value, out);
        if (entry) { clear(out).append(verdict(entry, tz)); clear(preview); kioskNote.textContent = t('app.kiosk.none'); }
      } catch (err) {
        clear(out).append(h('p', { class: 'notice error', role: 'alert' }, errorMessage(err)));
      } finally {
        for (const b of buttons) b.disabled = false;
        await drawQueue(list, tz);
        e.target.focus();
      }
    },
  }, t(`app.checkin.${type}`)));

  root.append(h('section', { 'aria-labelledby': 'checkin-h' },
    h('h2', { id: 'checkin-h' }, t('app.checkin.title')),
    h('div', { class: 'field' }, h('label', { for: 'mode' }, t('app.checkin.mode')), modeSelect),
    h('div', { class: 'field' },
      h('span', { class: 'label', id: 'selfie-label' }, t('app.selfie.title')),
      h('p', { class: 'hint' }, t('app.selfie.hint')),
      h('div', { class: 'row' }, take,
        h('label', { for: 'selfie-file', class: 'button' }, t('app.selfie.file')), fileInput),
      preview),
    h('div', { class: 'field' },
      h('span', { class: 'label' }, t('app.kiosk.title')),
      h('p', { class: 'hint' }, t('app.kiosk.hint')),
      h('div', { class: 'row' }, scan), kioskNote),
    camera,
    h('div', { class: 'row' }, buttons),
    out, list));
  if (!session.device) go('/signin');
  await drawQueue(list, tz);
  const channel = new BroadcastChannel('attendance-queue');
  channel.onmessage = () => { if (document.body.contains(list)) drawQueue(list, tz); else channel.close(); };
}
