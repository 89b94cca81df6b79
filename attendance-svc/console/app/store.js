// The app's memory in this browser (IndexedDB, shared by the page and its
// service worker): the device (its id and its Ed25519 key pair, the private
// half made non-extractable, so no script can read it out, only sign with it)
// and the queue of signed check-ins not yet answered.
const NAME = 'attendance-app';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('device');
      req.result.createObjectStore('queue', { keyPath: 'nonce' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// One request in its own transaction; resolves with its result once committed.
async function run(store, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => { db.close(); resolve(req.result); };
    tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
  });
}

// {device_id, nip, keys: CryptoKeyPair, enrolled_at} or undefined.
export const loadDevice = () => run('device', 'readonly', (s) => s.get('device'));
export const saveDevice = (device) => run('device', 'readwrite', (s) => s.put(device, 'device'));
export const forgetDevice = () => run('device', 'readwrite', (s) => s.delete('device'));

// Queue entries: {nonce, payload (the signed JSON text), signature, selfie: Blob | null, state: 'waiting' |
// 'accepted' | 'rejected', answer (the 201 or 200 body) | null, error: {status, code} | null, queued_at}.
export const queued = () => run('queue', 'readonly', (s) => s.getAll());
export const putQueued = (entry) => run('queue', 'readwrite', (s) => s.put(entry));
export const dropQueued = (nonce) => run('queue', 'readwrite', (s) => s.delete(nonce));
