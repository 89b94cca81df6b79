// Sending the signed check-ins (CONTRACT.md, "Check-in"), from the page and
// from the service worker alike. A check-in is signed once, when it is made,
// and kept with its exact bytes; sending it again is the phone retrying (the
// service answers 200 and the same body), so a retry never makes a second
// check-in. No token is needed: the device's signature is the credential.
import { putQueued, queued } from './store.js';

// Answers the contract gives for a check-in that will never be taken: kept as rejected, with the code.
const FINAL = new Set([400, 401, 403, 404, 409, 413, 415, 422]);

async function send(entry) {
  const form = new FormData();
  form.append('payload', new Blob([entry.payload], { type: 'application/json' }));
  form.append('signature', entry.signature);
  if (entry.selfie) form.append('selfie', entry.selfie, entry.selfie.type === 'image/png' ? 'selfie.png' : 'selfie.jpg');
  let response;
  try {
    response = await fetch('/v1/checkins', { method: 'POST', body: form, credentials: 'omit' });
  } catch {
    return entry; // no network: it waits
  }
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (response.status === 200 || response.status === 201) return { ...entry, state: 'accepted', answer: body, selfie: null };
  if (FINAL.has(response.status)) {
    const error = body && body.error ? body.error : {};
    return { ...entry, state: 'rejected', error: { status: response.status, code: error.code || `http_${response.status}` } };
  }
  return entry; // 429, 503, a proxy's 502: it waits and is sent again
}

let running = null;
const changed = new BroadcastChannel('attendance-queue');

// Sends every waiting check-in, oldest first; resolves with the queue as it then is. One pass at a time
// in this context (a second caller shares the running one).
export function flushQueue() {
  if (!running) {
    running = (async () => {
      const entries = (await queued()).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
      for (const entry of entries) {
        if (entry.state !== 'waiting') continue;
        const next = await send(entry);
        if (next !== entry) {
          await putQueued(next);
          changed.postMessage('changed'); // the other side (page or service worker) draws it again
        }
      }
      return queued();
    })().finally(() => { running = null; });
  }
  return running;
}
