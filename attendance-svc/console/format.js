// Dates and numbers as people read them: in the unit's time zone, in the page's language.
import { locale } from './i18n.js';

export function dateTime(iso, timeZone) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    timeZone, dateStyle: 'medium', timeStyle: 'medium',
  }).format(d) + ` ${zoneName(d, timeZone)}`;
}

export function time(iso, timeZone) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { timeZone, hour: '2-digit', minute: '2-digit' }).format(d);
}

// WIB, WITA, WIT: the short names people use for Indonesia's three zones.
const ZONES = { 'Asia/Jakarta': 'WIB', 'Asia/Pontianak': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };
function zoneName(d, timeZone) {
  if (ZONES[timeZone]) return ZONES[timeZone];
  const part = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part ? part.value : timeZone || '';
}

// A calendar day (YYYY-MM-DD) written out; it is already the unit's own day.
export function day(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text || '')) return text || '—';
  const [y, m, d] = text.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

// Today in a time zone, as YYYY-MM-DD.
export function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function metres(value) {
  if (value === null || value === undefined) return '—';
  const n = Number(value);
  return n >= 1000 ? `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(n / 1000)} km`
    : `${new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(n)} m`;
}

export function number(value, digits = 0) {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}
