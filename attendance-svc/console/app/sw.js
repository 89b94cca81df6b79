// The app's service worker: its files kept so that the app opens with no
// network (the network first, for a new release, then the copy kept), and the
// queue of signed check-ins sent when the browser says the network is back
// (Background Sync), even with the app closed. It sends the stored bytes
// unchanged; no token is needed (queue.js).
import { flushQueue } from './queue.js';

const CACHE = 'attendance-app-1';
const FILES = ['/app/', '/app/app.js', '/app/api.js', '/app/camera.js', '/app/device.js', '/app/queue.js', '/app/records.js',
  '/app/scan.js', '/app/store.js', '/app/today.js', '/app/words.js', '/app/app.css', '/app/manifest.webmanifest', '/app/icon-192.png',
  '/app/icon-512.png', '/console/api.js', '/console/dom.js', '/console/format.js', '/console/i18n.js', '/kiosk/qr.js'];

self.addEventListener('install', (e) => { e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES))); });

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith('attendance-app-') && k !== CACHE).map((k) => caches.delete(k)))));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin || !FILES.includes(url.pathname)) return;
  e.respondWith(fetch(e.request).then((r) => {
    if (r.ok) { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(url.pathname, copy)); }
    return r;
  }).catch(() => caches.match(url.pathname)));
});

self.addEventListener('sync', (e) => {
  if (e.tag === 'checkins') e.waitUntil(flushQueue().then((entries) => {
    if (entries.some((entry) => entry.state === 'waiting')) throw new Error('still waiting'); // the browser tries again later
  }));
});
