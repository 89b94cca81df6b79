// The check-in's point against the geofence, drawn as an inline SVG: no tile
// server, no network. Coordinates are projected onto a flat plane in metres
// around the point (equirectangular; exact enough over a few kilometres).
import { s } from './dom.js';
import { metres } from './format.js';

const WIDTH = 480;
const HEIGHT = 320;
const M_PER_DEG_LAT = 110574;
const M_PER_DEG_LON_EQUATOR = 111320;

function projector(lat0, lon0) {
  const k = M_PER_DEG_LON_EQUATOR * Math.cos((lat0 * Math.PI) / 180);
  return (lat, lon) => ({ x: (lon - lon0) * k, y: (lat0 - lat) * M_PER_DEG_LAT });
}

function nearestOnSegment(p, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const u = len2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0;
  return { x: a.x + u * dx, y: a.y + u * dy };
}

function niceLength(span) {
  const target = span / 4;
  const steps = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];
  return steps.reduce((best, n) => (n <= target ? n : best), steps[0]);
}

// geofence: the office's ({type: circle|polygon, ...}); point: {lat, lon, accuracy_m, distance_m} (the
// distance as the service measured it labels the line); title: the text alternative.
export function geofenceMap(geofence, point, title) {
  const project = projector(point.lat, point.lon);
  const p = project(point.lat, point.lon);
  const accuracy = Math.max(0, Number(point.accuracy_m) || 0);
  const xs = [p.x - accuracy, p.x + accuracy], ys = [p.y - accuracy, p.y + accuracy];
  let shape = null, nearest = null;
  if (geofence && geofence.type === 'circle') {
    const c = project(geofence.lat, geofence.lon);
    const r = Number(geofence.radius_m);
    xs.push(c.x - r, c.x + r); ys.push(c.y - r, c.y + r);
    const d = Math.hypot(p.x - c.x, p.y - c.y);
    nearest = d > r && d > 0 ? { x: c.x + ((p.x - c.x) / d) * r, y: c.y + ((p.y - c.y) / d) * r } : null;
    shape = { kind: 'circle', c, r };
  } else if (geofence && geofence.type === 'polygon' && Array.isArray(geofence.coordinates)) {
    const pts = geofence.coordinates.map(([lon, lat]) => project(lat, lon));
    for (const q of pts) { xs.push(q.x); ys.push(q.y); }
    for (let i = 0; i + 1 < pts.length; i++) {
      const q = nearestOnSegment(p, pts[i], pts[i + 1]);
      if (!nearest || Math.hypot(q.x - p.x, q.y - p.y) < Math.hypot(nearest.x - p.x, nearest.y - p.y)) nearest = q;
    }
    shape = { kind: 'polygon', pts };
  }
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const span = Math.max(maxX - minX, maxY - minY, 40);
  const scale = Math.min(WIDTH / ((maxX - minX || span) * 1.3), HEIGHT / ((maxY - minY || span) * 1.3));
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const X = (x) => WIDTH / 2 + (x - cx) * scale;
  const Y = (y) => HEIGHT / 2 + (y - cy) * scale;

  const children = [s('title', {}, title), s('rect', { class: 'map-bg', x: 0, y: 0, width: WIDTH, height: HEIGHT })];
  if (shape && shape.kind === 'circle') {
    children.push(s('circle', { class: 'map-fence', cx: X(shape.c.x), cy: Y(shape.c.y), r: shape.r * scale }));
    children.push(s('circle', { class: 'map-centre', cx: X(shape.c.x), cy: Y(shape.c.y), r: 3 }));
  } else if (shape) {
    children.push(s('polygon', { class: 'map-fence', points: shape.pts.map((q) => `${X(q.x)},${Y(q.y)}`).join(' ') }));
  }
  if (accuracy > 0) children.push(s('circle', { class: 'map-accuracy', cx: X(p.x), cy: Y(p.y), r: accuracy * scale }));
  if (nearest) {
    const d = point.distance_m ?? Math.hypot(nearest.x - p.x, nearest.y - p.y);
    children.push(s('line', { class: 'map-distance', x1: X(p.x), y1: Y(p.y), x2: X(nearest.x), y2: Y(nearest.y) }));
    children.push(s('text', { class: 'map-label', x: (X(p.x) + X(nearest.x)) / 2 + 6, y: (Y(p.y) + Y(nearest.y)) / 2 }, metres(d)));
  }
  children.push(s('circle', { class: 'map-point', cx: X(p.x), cy: Y(p.y), r: 6 }));
  const bar = niceLength(span * 1.3);
  children.push(s('line', { class: 'map-scale', x1: 16, y1: HEIGHT - 16, x2: 16 + bar * scale, y2: HEIGHT - 16 }));
  children.push(s('text', { class: 'map-label', x: 16, y: HEIGHT - 22 }, metres(bar)));
  children.push(s('text', { class: 'map-north', x: WIDTH - 12, y: 24, 'text-anchor': 'end' }, '↑ U'));
  return s('svg', { class: 'map', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title }, children);
}
