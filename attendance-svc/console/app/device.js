// The device's key and what it signs (CONTRACT.md, "Devices are the
// employee's credential in the morning"): an Ed25519 key pair made by
// WebCrypto with its private half non-extractable, kept in IndexedDB; the
// public half enrolled with POST /v1/devices. Payloads are JSON text signed
// as bytes; the same bytes are sent.
import { saveDevice } from './store.js';

export function b64url(bytes) {
  let bin = '';
  for (const b of new Uint8Array(bytes)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function nonce() {
  return b64url(crypto.getRandomValues(new Uint8Array(16)));
}

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// A new key pair; the private key cannot be exported, only used to sign.
export async function makeKeys() {
  return crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
}

export async function publicKeyText(keys) {
  return b64url(await crypto.subtle.exportKey('raw', keys.publicKey));
}

// {payload: the JSON text, signature: base64url} for an object to sign.
export async function signJson(device, object) {
  const payload = JSON.stringify(object);
  const signature = await crypto.subtle.sign({ name: 'Ed25519' }, device.keys.privateKey, new TextEncoder().encode(payload));
  return { payload, signature: b64url(signature) };
}

// The body of POST /v1/auth/device: a fresh sign-in statement, signed.
export async function signInBody(device) {
  const { payload, signature } = await signJson(device, {
    device_id: device.device_id, purpose: 'sign-in', signed_at: new Date().toISOString(), nonce: nonce(),
  });
  return { payload: b64url(new TextEncoder().encode(payload)), signature };
}

export async function remember(deviceId, nip, keys) {
  const device = { device_id: String(deviceId), nip, keys, enrolled_at: new Date().toISOString() };
  await saveDevice(device);
  return device;
}
