// The JSON API as the app calls it: same origin, the employee's token (from
// a password or a device sign-in) held in this page's memory only, never
// stored: after a reload the device signs in again. A failure becomes the
// console's ApiError with the contract's error code; the page shows
// errorMessage(err), which also knows the app's own codes (words.js).
import { ApiError, errorMessage } from '/console/api.js';

export { ApiError, errorMessage };

let token = null;
export function useToken(next) { token = next; }
export function signedIn() { return token !== null; }

let onExpired = () => {};
export function whenExpired(fn) { onExpired = fn; }

// body: an object (sent as JSON), a Blob (sent as it is, with its type) or undefined.
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let data;
  if (body instanceof Blob) {
    headers['Content-Type'] = body.type || 'application/octet-stream';
    data = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    data = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: data, credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'network');
  }
  let answer = null;
  if (response.status !== 204) {
    try { answer = await response.json(); } catch { answer = null; }
  }
  if (!response.ok) {
    const error = answer && answer.error ? answer.error : {};
    const err = new ApiError(response.status, error.code || `http_${response.status}`, error);
    if (response.status === 401 && token && !path.startsWith('/v1/auth/')) onExpired(err);
    throw err;
  }
  return answer;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
