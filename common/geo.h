/*
 * Geofences: where an office (or a home) is, and whether a reported position
 * lies in it.
 *
 * Pure geometry on doubles: no I/O, no global state, no allocation except a
 * polygon's own vertex array. Distances are great-circle distances on a sphere
 * of the mean Earth radius (within 0.6% of the WGS84 ellipsoid, well below GPS
 * error at office scale). A polygon follows GeoJSON (RFC 7946): its edges are
 * straight lines in longitude/latitude, except that every edge takes the short
 * way round, so a polygon may straddle the antimeridian. A point within
 * GEOFENCE_BOUNDARY_M of the boundary counts as inside.
 *
 * The JSON form is the contract's (CONTRACT.md, "Setup"):
 * {"type": "circle", "lat", "lon", "radius_m"} or
 * {"type": "polygon", "coordinates": [[lon, lat], ...]}.
 */
#ifndef COMMON_GEO_H
#define COMMON_GEO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define GEO_EARTH_RADIUS_M 6371008.8 /* IUGG mean radius */

#define GEOFENCE_RADIUS_MIN_M 10.0
#define GEOFENCE_RADIUS_MAX_M 5000.0
#define GEOFENCE_VERTICES_MIN 3
#define GEOFENCE_VERTICES_MAX 1000 /* not counting a closing vertex */
#define GEOFENCE_BOUNDARY_M 0.001  /* far below GPS precision, far above rounding */

struct geo_point {
    double lat, lon; /* degrees */
};

enum geofence_type {
    GEOFENCE_NONE, /* a zeroed struct: contains nothing */
    GEOFENCE_CIRCLE,
    GEOFENCE_POLYGON,
};

struct geofence {
    enum geofence_type type;
    union {
        struct {
            double lat, lon, radius_m;
        } circle;
        struct {
            struct geo_point *vertices; /* owned; an open ring (first vertex not repeated) */
            size_t count;
        } polygon;
    };
};

/* Great-circle distance in metres between two points in degrees (haversine, mean Earth radius). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/*
 * Parses and validates the contract's geofence object into *out: 0, or -1 with a
 * reason naming the field in err and *out left empty (GEOFENCE_NONE).
 */
int geofence_from_json(const json_t *obj, struct geofence *out, char *err, size_t err_len);

/* The contract's JSON for g (a polygon as a closed ring), a new reference; NULL for an empty g or out of memory. */
json_t *geofence_to_json(const struct geofence *g);

struct geofence_verdict {
    bool inside;       /* boundary included */
    double distance_m; /* 0 when inside, else metres to the circle or to the nearest edge */
};

/*
 * Whether the point (lat, lon), already range-checked by the caller, lies in g and
 * how far outside it is; a non-finite point or an empty g gives {false, INFINITY}.
 */
struct geofence_verdict geofence_check(const struct geofence *g, double lat, double lon);

/*
 * The point a record made at the place g is attributed to (a paper register at an
 * office: no GPS fix): a circle's centre, a polygon's mean vertex; {0, 0} for an empty g.
 */
struct geo_point geofence_center(const struct geofence *g);

/* Frees a polygon's vertices and leaves g empty; safe on NULL, an empty geofence and a circle. */
void geofence_free(struct geofence *g);

#endif
