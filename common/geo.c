/*
 * Geofence geometry: haversine distances, parsing and validating the
 * contract's geofence JSON, and point-in-geofence checks.
 *
 * Polygons are examined in a local plane: longitude differences (wrapped into
 * [-180, 180], so the antimeridian is just another meridian) times a cosine, and
 * latitude differences, both in metres. That map is linear in longitude and
 * latitude, so GeoJSON's straight edges stay straight and inside/outside is exact;
 * lengths in it are accurate to far better than a metre over an office's extent
 * at Indonesia's latitudes, and the distance reported to the caller is a
 * great-circle distance to the nearest point found on an edge, not a planar one.
 */
#include "geo.h"

#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEG_TO_RAD (M_PI / 180.0)
#define METRES_PER_DEGREE (GEO_EARTH_RADIUS_M * DEG_TO_RAD)

/* Below this a polygon is a line drawn by mistake, not a place. */
#define GEOFENCE_AREA_MIN_M2 1.0

struct xy {
    double x, y;
};

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_len, const char *fmt, ...)
{
    if (err && err_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A longitude difference brought into [-180, 180]; remainder() is exact. */
static double wrap180(double degrees)
{
    return remainder(degrees, 360.0);
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double phi1 = lat1 * DEG_TO_RAD, phi2 = lat2 * DEG_TO_RAD;
    double s_lat = sin((phi2 - phi1) / 2);
    double s_lon = sin(wrap180(lon2 - lon1) * DEG_TO_RAD / 2);
    double a = s_lat * s_lat + cos(phi1) * cos(phi2) * s_lon * s_lon;
    /* Rounding can push a just past 1 for antipodal points; comparisons let NaN through. */
    if (a > 1)
        a = 1;
    if (a < 0)
        a = 0;
    return 2 * GEO_EARTH_RADIUS_M * asin(sqrt(a));
}

static double cross(struct xy o, struct xy a, struct xy b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* Squared distance from p to segment ab; *t (may be NULL) gets the nearest point's parameter in [0, 1]. */
static double segment_dist2(struct xy p, struct xy a, struct xy b, double *t_out)
{
    double dx = b.x - a.x, dy = b.y - a.y;
    double len2 = dx * dx + dy * dy;
    double t = 0;
    if (len2 > 0) {
        t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    if (t_out)
        *t_out = t;
    double ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
    return ex * ex + ey * ey;
}

static bool opposite_sides(double d1, double d2)
{
    return (d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0);
}

/* Whether segments ab and cd cross, or come within sqrt(tol2) of each other. */
static bool segments_meet(struct xy a, struct xy b, struct xy c, struct xy d, double tol2)
{
    if (opposite_sides(cross(c, d, a), cross(c, d, b)) && opposite_sides(cross(a, b, c), cross(a, b, d)))
        return true;
    /* Segments that do not cross are nearest at an endpoint of one of them. */
    return segment_dist2(a, c, d, NULL) <= tol2 || segment_dist2(b, c, d, NULL) <= tol2 ||
           segment_dist2(c, a, b, NULL) <= tol2 || segment_dist2(d, a, b, NULL) <= tol2;
}

static bool same_point(struct geo_point a, struct geo_point b)
{
    return geo_distance_m(a.lat, a.lon, b.lat, b.lon) <= GEOFENCE_BOUNDARY_M;
}

static int field_number(const json_t *obj, const char *key, double lo, double hi, double *out, char *err,
                        size_t err_len)
{
    const json_t *value = json_object_get(obj, key);
    if (!value)
        return fail(err, err_len, "geofence.%s is required", key);
    if (json_number(value, out) != 0)
        return fail(err, err_len, "geofence.%s must be a number", key);
    if (*out < lo || *out > hi)
        return fail(err, err_len, "geofence.%s must be between %g and %g", key, lo, hi);
    return 0;
}

static int circle_from_json(const json_t *obj, struct geofence *out, char *err, size_t err_len)
{
    double lat, lon, radius;
    if (field_number(obj, "lat", -90, 90, &lat, err, err_len) != 0 ||
        field_number(obj, "lon", -180, 180, &lon, err, err_len) != 0 ||
        field_number(obj, "radius_m", GEOFENCE_RADIUS_MIN_M, GEOFENCE_RADIUS_MAX_M, &radius, err, err_len) != 0)
        return -1;
    out->type = GEOFENCE_CIRCLE;
    out->circle.lat = lat;
    out->circle.lon = lon;
    out->circle.radius_m = radius;
    return 0;
}

static int position_from_json(const json_t *pos, size_t i, struct geo_point *out, char *err, size_t err_len)
{
    double lon, lat;
    if (!json_is_array(pos) || json_array_size(pos) != 2 || json_number(json_array_get(pos, 0), &lon) != 0 ||
        json_number(json_array_get(pos, 1), &lat) != 0)
        return fail(err, err_len, "geofence.coordinates[%zu] must be a [lon, lat] pair of numbers", i);
    if (lon < -180 || lon > 180)
        return fail(err, err_len, "geofence.coordinates[%zu][0] (longitude) must be between -180 and 180", i);
    if (lat < -90 || lat > 90)
        return fail(err, err_len, "geofence.coordinates[%zu][1] (latitude) must be between -90 and 90", i);
    out->lat = lat;
    out->lon = lon;
    return 0;
}

/*
 * Checks an open ring of n >= 3 vertices, projected to p, for what makes it no
 * place: collinear vertices, edges that cross or touch, a negligible area.
 */
static int polygon_shape_ok(const struct xy *p, size_t n, char *err, size_t err_len)
{
    const double tol = GEOFENCE_BOUNDARY_M, tol2 = tol * tol;

    /* Collinear first: such a ring also folds back on itself, but "no area" is the truer reason. */
    size_t far = 0;
    double far2 = 0;
    for (size_t i = 1; i < n; i++) {
        double dx = p[i].x - p[0].x, dy = p[i].y - p[0].y;
        if (dx * dx + dy * dy > far2) {
            far2 = dx * dx + dy * dy;
            far = i;
        }
    }
    bool collinear = true;
    for (size_t i = 1; i < n && collinear; i++) {
        double c = cross(p[0], p[far], p[i]);
        collinear = c * c <= tol2 * far2; /* distance from the line, without dividing */
    }
    if (collinear)
        return fail(err, err_len, "geofence.coordinates must enclose a non-zero area (the vertices are collinear)");

    for (size_t i = 0; i < n; i++) {
        struct xy a = p[i], b = p[(i + 1) % n];
        /* Adjacent edges share a vertex; they overlap only if the ring turns straight back. */
        struct xy c = p[(i + 2) % n];
        if (segment_dist2(c, a, b, NULL) <= tol2 || segment_dist2(a, b, c, NULL) <= tol2)
            return fail(err, err_len,
                        "geofence.coordinates must not cross or touch itself: the ring turns back on itself "
                        "at coordinates[%zu]",
                        (i + 1) % n);
        for (size_t j = i + 2; j < n; j++) {
            if (i == 0 && j == n - 1)
                continue; /* the closing edge is adjacent to the first */
            if (segments_meet(a, b, p[j], p[(j + 1) % n], tol2))
                return fail(err, err_len,
                            "geofence.coordinates must not cross or touch itself: the edge from coordinates[%zu] "
                            "meets the edge from coordinates[%zu]",
                            i, j);
        }
    }

    double twice_area = 0;
    for (size_t i = 1; i + 1 < n; i++)
        twice_area += cross(p[0], p[i], p[i + 1]);
    if (fabs(twice_area) / 2 < GEOFENCE_AREA_MIN_M2)
        return fail(err, err_len, "geofence.coordinates must enclose a non-zero area (at least %g square metre)",
                    GEOFENCE_AREA_MIN_M2);
    return 0;
}

static int polygon_from_json(const json_t *obj, struct geofence *out, char *err, size_t err_len)
{
    const json_t *coords = json_object_get(obj, "coordinates");
    if (!coords)
        return fail(err, err_len, "geofence.coordinates is required");
    if (!json_is_array(coords))
        return fail(err, err_len, "geofence.coordinates must be an array of [lon, lat] positions");
    size_t m = json_array_size(coords);
    /* Bound the allocation before reading: a closed ring carries one extra position. */
    if (m < GEOFENCE_VERTICES_MIN || m > GEOFENCE_VERTICES_MAX + 1)
        return fail(err, err_len, "geofence.coordinates must have between %d and %d vertices, got %zu",
                    GEOFENCE_VERTICES_MIN, GEOFENCE_VERTICES_MAX, m);

    struct geo_point *v = malloc(m * sizeof *v);
    struct xy *p = malloc(m * sizeof *p);
    if (!v || !p) {
        free(v);
        free(p);
        return fail(err, err_len, "out of memory");
    }
    int rc = -1;
    for (size_t i = 0; i < m; i++)
        if (position_from_json(json_array_get(coords, i), i, &v[i], err, err_len) != 0)
            goto done;

    size_t n = m;
    if (same_point(v[0], v[n - 1]))
        n--; /* a closed ring: GeoJSON repeats the first vertex, we do not */
    if (n < GEOFENCE_VERTICES_MIN || n > GEOFENCE_VERTICES_MAX) {
        fail(err, err_len, "geofence.coordinates must have between %d and %d vertices, got %zu",
             GEOFENCE_VERTICES_MIN, GEOFENCE_VERTICES_MAX, n);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (same_point(v[i], v[(i + 1) % n])) {
            fail(err, err_len, "geofence.coordinates[%zu] repeats coordinates[%zu]; consecutive vertices must differ",
                 (i + 1) % n, i);
            goto done;
        }

    /*
     * Follow the edges the short way round. A ring that spans half the globe in
     * longitude (or circles a pole, which adds 360) has no single unwrapped shape,
     * so wrapping relative to the first vertex, as everything below does, would
     * not describe it; no office is that big.
     */
    double u = v[0].lon, lo = u, hi = u;
    for (size_t i = 1; i <= n; i++) {
        u += wrap180(v[i % n].lon - v[i - 1].lon);
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    if (hi - lo >= 180) {
        fail(err, err_len, "geofence.coordinates must span less than 180 degrees of longitude");
        goto done;
    }

    double lat_lo = v[0].lat, lat_hi = v[0].lat;
    for (size_t i = 1; i < n; i++) {
        lat_lo = fmin(lat_lo, v[i].lat);
        lat_hi = fmax(lat_hi, v[i].lat);
    }
    double kx = METRES_PER_DEGREE * cos((lat_lo + lat_hi) / 2 * DEG_TO_RAD);
    for (size_t i = 0; i < n; i++) {
        p[i].x = wrap180(v[i].lon - v[0].lon) * kx;
        p[i].y = (v[i].lat - v[0].lat) * METRES_PER_DEGREE;
    }
    if (polygon_shape_ok(p, n, err, err_len) != 0)
        goto done;

    out->type = GEOFENCE_POLYGON;
    out->polygon.vertices = v;
    out->polygon.count = n;
    v = NULL;
    rc = 0;
done:
    free(v);
    free(p);
    return rc;
}

int geofence_from_json(const json_t *obj, struct geofence *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (!obj)
        return fail(err, err_len, "geofence is required");
    if (!json_is_object(obj))
        return fail(err, err_len, "geofence must be an object");
    const json_t *type = json_object_get(obj, "type");
    if (!type)
        return fail(err, err_len, "geofence.type is required");
    if (!json_is_string(type))
        return fail(err, err_len, "geofence.type must be a string");
    if (strcmp(json_string_value(type), "circle") == 0)
        return circle_from_json(obj, out, err, err_len);
    if (strcmp(json_string_value(type), "polygon") == 0)
        return polygon_from_json(obj, out, err, err_len);
    return fail(err, err_len, "geofence.type must be \"circle\" or \"polygon\"");
}

json_t *geofence_to_json(const struct geofence *g)
{
    if (!g)
        return NULL;
    if (g->type == GEOFENCE_CIRCLE)
        return json_pack("{s:s, s:f, s:f, s:f}", "type", "circle", "lat", g->circle.lat, "lon", g->circle.lon,
                         "radius_m", g->circle.radius_m);
    if (g->type != GEOFENCE_POLYGON || g->polygon.count == 0)
        return NULL;
    json_t *ring = json_array();
    if (!ring)
        return NULL;
    /* count + 1: GeoJSON closes the ring by repeating the first vertex. */
    for (size_t i = 0; i <= g->polygon.count; i++) {
        const struct geo_point *v = &g->polygon.vertices[i % g->polygon.count];
        if (json_array_append_new(ring, json_pack("[f, f]", v->lon, v->lat)) != 0) {
            json_decref(ring);
            return NULL;
        }
    }
    return json_pack("{s:s, s:o}", "type", "polygon", "coordinates", ring);
}

static struct geofence_verdict check_polygon(const struct geo_point *v, size_t n, double lat, double lon)
{
    /*
     * The plane is centred on the point itself, so the point is exactly the
     * origin and its nearest edges are where the map is most accurate. Longitudes
     * are taken relative to the first vertex (a valid polygon spans less than 180
     * degrees), which picks the one copy of the point that could lie inside.
     */
    double kx = cos(lat * DEG_TO_RAD);
    double q = wrap180(lon - v[0].lon);
    bool inside = false;
    double nearest = INFINITY;
    for (size_t i = 0; i < n; i++) {
        const struct geo_point *a = &v[i], *b = &v[(i + 1) % n];
        double ax = wrap180(a->lon - v[0].lon) - q, bx = wrap180(b->lon - v[0].lon) - q; /* degrees */
        double ay = a->lat - lat, by = b->lat - lat;

        /* Crossing number along the ray y = 0, x > 0; the signs differ, so ay - by is not 0. */
        if ((ay > 0) != (by > 0) && ax + (bx - ax) * (ay / (ay - by)) > 0)
            inside = !inside;

        double t;
        segment_dist2((struct xy){0, 0}, (struct xy){ax * kx, ay}, (struct xy){bx * kx, by}, &t);
        double d = geo_distance_m(lat, lon, a->lat + t * (b->lat - a->lat), lon + ax + t * (bx - ax));
        /* The planar t is a hair off for far points: the vertex itself bounds the answer. */
        d = fmin(d, geo_distance_m(lat, lon, a->lat, a->lon));
        if (d < nearest)
            nearest = d;
    }
    if (inside || nearest <= GEOFENCE_BOUNDARY_M)
        return (struct geofence_verdict){true, 0};
    return (struct geofence_verdict){false, nearest};
}

struct geofence_verdict geofence_check(const struct geofence *g, double lat, double lon)
{
    const struct geofence_verdict nowhere = {false, INFINITY};
    if (!g || !isfinite(lat) || !isfinite(lon))
        return nowhere;
    if (g->type == GEOFENCE_CIRCLE) {
        double d = geo_distance_m(g->circle.lat, g->circle.lon, lat, lon) - g->circle.radius_m;
        if (d <= GEOFENCE_BOUNDARY_M)
            return (struct geofence_verdict){true, 0};
        return (struct geofence_verdict){false, d};
    }
    if (g->type == GEOFENCE_POLYGON && g->polygon.count > 0)
        return check_polygon(g->polygon.vertices, g->polygon.count, lat, lon);
    return nowhere;
}

struct geo_point geofence_center(const struct geofence *g)
{
    struct geo_point c = {0, 0};
    if (g->type == GEOFENCE_CIRCLE)
        return (struct geo_point){g->circle.lat, g->circle.lon};
    if (g->type != GEOFENCE_POLYGON || g->polygon.count == 0)
        return c;
    for (size_t i = 0; i < g->polygon.count; i++) {
        c.lat += g->polygon.vertices[i].lat;
        c.lon += g->polygon.vertices[i].lon;
    }
    c.lat /= (double)g->polygon.count;
    c.lon /= (double)g->polygon.count;
    return c;
}

void geofence_free(struct geofence *g)
{
    if (!g)
        return;
    if (g->type == GEOFENCE_POLYGON)
        free(g->polygon.vertices);
    memset(g, 0, sizeof *g);
}
