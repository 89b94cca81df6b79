// The kiosk page's files kept by the tablet's browser, so that the page opens
// again (a reboot at 06:00) with no network: the network first, to get a new
// release, and the copy kept when there is none.
const CACHE = 'attendance-kiosk-1';
const FILES = ['/kiosk/', '/kiosk/kiosk.js', '/kiosk/qr.js', '/kiosk/kiosk.css'];

self.addEventListener('install', (e) => { e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES))); });

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || !FILES.includes(url.pathname)) return;
  e.respondWith(fetch(e.request).then((r) => {
    if (r.ok) { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(url.pathname, copy)); }
    return r;
  }).catch(() => caches.match(url.pathname)));
});
