// The JSON API as the console calls it: same origin, the session in its
// HttpOnly cookie, the CSRF token (from its readable cookie) on every change.
// A failure becomes an ApiError with the contract's error code; the page
// shows errorMessage(err), never the answer's JSON.
import { t, has } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, details) {
    super(code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return '';
}

let onUnauthenticated = () => {};
export function whenSignedOut(fn) { onUnauthenticated = fn; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = cookie('attendance_csrf');
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network');
  }
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    const err = new ApiError(response.status, error.code || `http_${response.status}`, error);
    if (response.status === 401 && !path.endsWith('/login')) onUnauthenticated(err);
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);

// A message for a person, in the page's language.
export function errorMessage(err) {
  const code = err && err.code;
  return code && has(`err.${code}`) ? t(`err.${code}`) : t('err.generic');
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') q.set(key, value);
  const text = q.toString();
  return text ? `?${text}` : '';
}

// Units and employees by id, read once per page load.
const units = new Map();
const employees = new Map();

export async function unitList() {
  if (units.size === 0) {
    let cursor = null;
    do {
      const page = await get(`/v1/units${query({ limit: 500, cursor })}`);
      for (const u of page.items) units.set(u.id, u);
      cursor = page.next_cursor;
    } while (cursor);
  }
  return [...units.values()];
}

export async function unit(idOf) {
  if (!units.has(idOf)) await unitList();
  return units.get(idOf);
}

export async function employee(idOf) {
  if (!employees.has(idOf)) employees.set(idOf, get(`/v1/employees/${encodeURIComponent(idOf)}`).catch(() => null));
  return employees.get(idOf);
}

export function forget() {
  units.clear();
  employees.clear();
}
