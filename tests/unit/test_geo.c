/* Geofence geometry: distances, circles, polygons, the antimeridian, validation, JSON round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "geo.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Balai Kota DKI Jakarta, the reference office. */
#define BK_LAT -6.181800
#define BK_LON 106.828300

/* One degree of arc on the model sphere: 2 pi R / 360. */
#define M_PER_DEG (GEO_EARTH_RADIUS_M * M_PI / 180.0)

#define assert_near(actual, expected, tol)                                                                     \
    do {                                                                                                       \
        double actual_ = (actual), expected_ = (expected);                                                     \
        if (!(fabs(actual_ - expected_) <= (tol)))                                                             \
            fail_msg("%s = %.6f, expected %.6f +- %g", #actual, actual_, expected_, (double)(tol));            \
    } while (0)

/* A point offset from Balai Kota by metres east and north (exact north, east to well under a millimetre here). */
static double lat_at(double north_m)
{
    return BK_LAT + north_m / M_PER_DEG;
}

static double lon_at(double east_m)
{
    return BK_LON + east_m / (M_PER_DEG * cos(BK_LAT * M_PI / 180.0));
}

/* {"type":"polygon"} with a ring given as east/north offsets in metres from Balai Kota. */
static json_t *polygon_around_bk(const double (*en)[2], size_t n, bool closed)
{
    json_t *ring = json_array();
    for (size_t i = 0; i < n + (closed ? 1 : 0); i++)
        json_array_append_new(ring, json_pack("[f, f]", lon_at(en[i % n][0]), lat_at(en[i % n][1])));
    return json_pack("{s:s, s:o}", "type", "polygon", "coordinates", ring);
}

/* A regular n-gon of radius r metres around Balai Kota, open ring. */
static json_t *regular_polygon(size_t n, double r, bool closed)
{
    json_t *ring = json_array();
    for (size_t i = 0; i < n + (closed ? 1 : 0); i++) {
        double a = 2 * M_PI * (double)(i % n) / (double)n;
        json_array_append_new(ring, json_pack("[f, f]", lon_at(r * cos(a)), lat_at(r * sin(a))));
    }
    return json_pack("{s:s, s:o}", "type", "polygon", "coordinates", ring);
}

static void parse_ok(json_t *obj, struct geofence *g)
{
    char err[256] = "";
    assert_non_null(obj);
    int rc = geofence_from_json(obj, g, err, sizeof err);
    if (rc != 0)
        fail_msg("rejected: %s", err);
    json_decref(obj);
}

static void parse_text_ok(const char *text, struct geofence *g)
{
    parse_ok(json_loads(text, 0, NULL), g);
}

/* Rejects obj (consumed) with a message containing needle, and leaves the output empty. */
static void expect_reject(json_t *obj, const char *needle)
{
    char err[256] = "";
    struct geofence g;
    memset(&g, 0xAB, sizeof g);
    assert_int_equal(geofence_from_json(obj, &g, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
    assert_int_equal(g.type, GEOFENCE_NONE);
    geofence_free(&g);
    json_decref(obj);
}

static void expect_reject_text(const char *text, const char *needle)
{
    json_t *obj = json_loads(text, 0, NULL);
    assert_non_null(obj);
    expect_reject(obj, needle);
}

/* ---- distances ---- */

static void distance_balai_kota_to_monas(void **state)
{
    /*
     * 723.7325 m on the model sphere (computed independently by the haversine and
     * the spherical law of cosines, which agree to 3 micrometres), so 1 cm is pure
     * regression margin. The WGS84 geodesic (Vincenty) is 719.92 m, the "about 720 m"
     * of a map; the sphere differs from the ellipsoid by at most 0.6%.
     */
    double d = geo_distance_m(BK_LAT, BK_LON, -6.175392, 106.827153);
    assert_near(d, 723.7325, 0.01);
    assert_near(d, 719.92, 719.92 * 0.006);
}

static void distance_one_degree(void **state)
{
    /* 2 pi R / 360 = 111195.0802 m: one degree of latitude anywhere, of longitude on the equator. */
    assert_near(geo_distance_m(-7, 110, -6, 110), 111195.0802, 0.001);
    assert_near(geo_distance_m(0, 106, 0, 107), 111195.0802, 0.001);
    /*
     * At 60 degrees the parallel's arc is half that, 55597.540 m; the great circle
     * cuts the corner and is 0.53 m shorter (55597.011 m, computed independently).
     */
    assert_near(geo_distance_m(60, 0, 60, 1), 55597.011, 0.001);
}

static void distance_symmetric_and_zero(void **state)
{
    assert_true(geo_distance_m(BK_LAT, BK_LON, BK_LAT, BK_LON) == 0.0);
    assert_true(geo_distance_m(BK_LAT, BK_LON, -6.175392, 106.827153) ==
                geo_distance_m(-6.175392, 106.827153, BK_LAT, BK_LON));
}

static void distance_across_antimeridian(void **state)
{
    /* 0.001 degree apart across the 180th meridian, not 359.999 degrees. */
    assert_near(geo_distance_m(0, 179.9995, 0, -179.9995), 111.195, 0.001);
    assert_near(geo_distance_m(0, 180, 0, -180), 0, 1e-9);
}

static void distance_antipodes_finite(void **state)
{
    /* Half the circumference, pi R, with the haversine term clamped at 1. */
    assert_near(geo_distance_m(0, 0, 0, 180), M_PI * GEO_EARTH_RADIUS_M, 1e-3);
    assert_near(geo_distance_m(90, 0, -90, 0), M_PI * GEO_EARTH_RADIUS_M, 1e-3);
    assert_near(geo_distance_m(BK_LAT, BK_LON, -BK_LAT, BK_LON - 180), M_PI * GEO_EARTH_RADIUS_M, 1e-3);
}

/* ---- circles ---- */

static void circle_point_50m_inside(void **state)
{
    struct geofence g;
    parse_ok(json_pack("{s:s, s:f, s:f, s:f}", "type", "circle", "lat", BK_LAT, "lon", BK_LON, "radius_m", 100.0),
             &g);
    struct geofence_verdict v = geofence_check(&g, lat_at(50), BK_LON);
    assert_true(v.inside);
    assert_true(v.distance_m == 0.0);
    v = geofence_check(&g, BK_LAT, lon_at(-50));
    assert_true(v.inside);
    assert_true(v.distance_m == 0.0);
    geofence_free(&g);
}

static void circle_point_500m_outside_by_400m(void **state)
{
    struct geofence g;
    parse_ok(json_pack("{s:s, s:f, s:f, s:f}", "type", "circle", "lat", BK_LAT, "lon", BK_LON, "radius_m", 100.0),
             &g);
    struct geofence_verdict v = geofence_check(&g, lat_at(500), BK_LON);
    assert_false(v.inside);
    assert_near(v.distance_m, 400, 2);
    v = geofence_check(&g, BK_LAT, lon_at(500));
    assert_false(v.inside);
    assert_near(v.distance_m, 400, 2);
    geofence_free(&g);
}

static void circle_boundary_inside(void **state)
{
    struct geofence g;
    parse_text_ok("{\"type\":\"circle\",\"lat\":0,\"lon\":0,\"radius_m\":100}", &g);
    /* On the circle to rounding: inside. A centimetre beyond: outside by a centimetre. */
    struct geofence_verdict v = geofence_check(&g, 100 / M_PER_DEG, 0);
    assert_true(v.inside);
    assert_true(v.distance_m == 0.0);
    v = geofence_check(&g, 0, -100 / M_PER_DEG);
    assert_true(v.inside);
    v = geofence_check(&g, 100.01 / M_PER_DEG, 0);
    assert_false(v.inside);
    assert_near(v.distance_m, 0.01, 1e-6);
    geofence_free(&g);
}

static void circle_across_antimeridian(void **state)
{
    struct geofence g;
    parse_text_ok("{\"type\":\"circle\",\"lat\":-8,\"lon\":180,\"radius_m\":100}", &g);
    struct geofence_verdict v = geofence_check(&g, -8, -179.9995); /* ~55 m east of the centre */
    assert_true(v.inside);
    v = geofence_check(&g, -8, 179.998); /* ~220 m west */
    assert_false(v.inside);
    assert_near(v.distance_m, 0.002 * M_PER_DEG * cos(8 * M_PI / 180) - 100, 0.01);
    geofence_free(&g);
}

/* ---- polygons ---- */

/*
 * A U around Balai Kota, in metres east/north: 200 m square with a notch 80 m wide
 * cut from the top edge down to 20 m south of the centre.
 */
static const double U_SHAPE[][2] = {{-100, -100}, {100, -100}, {100, 100}, {40, 100},
                                    {40, -20},    {-40, -20},  {-40, 100}, {-100, 100}};
#define U_N (sizeof U_SHAPE / sizeof U_SHAPE[0])

static void polygon_point_in_arms_inside(void **state)
{
    struct geofence g;
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &g);
    static const double inside[][2] = {{-70, 50}, {70, 50}, {0, -60}, {-99, 99}, {99, -99}};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        struct geofence_verdict v = geofence_check(&g, lat_at(inside[i][1]), lon_at(inside[i][0]));
        if (!v.inside || v.distance_m != 0.0)
            fail_msg("(%g, %g) m: inside %d, distance %g", inside[i][0], inside[i][1], v.inside, v.distance_m);
    }
    geofence_free(&g);
}

static void polygon_point_in_notch_outside(void **state)
{
    struct geofence g;
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &g);
    /* Centre of the notch's mouth: 40 m to either arm. Near its floor: 20 m to the floor. */
    struct geofence_verdict v = geofence_check(&g, lat_at(50), lon_at(0));
    assert_false(v.inside);
    assert_near(v.distance_m, 40, 0.05);
    v = geofence_check(&g, lat_at(0), lon_at(0));
    assert_false(v.inside);
    assert_near(v.distance_m, 20, 0.05);
    v = geofence_check(&g, lat_at(50), lon_at(30));
    assert_false(v.inside);
    assert_near(v.distance_m, 10, 0.05);
    geofence_free(&g);
}

static void polygon_point_far_outside(void **state)
{
    struct geofence g;
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &g);
    /* Above the notch: the nearest points are the arms' inner corners, sqrt(40^2 + 200^2) away. */
    struct geofence_verdict v = geofence_check(&g, lat_at(300), lon_at(0));
    assert_false(v.inside);
    assert_near(v.distance_m, sqrt(40.0 * 40 + 200.0 * 200), 0.05);
    /* 1 m south of the bottom edge. */
    v = geofence_check(&g, lat_at(-101), lon_at(10));
    assert_false(v.inside);
    assert_near(v.distance_m, 1, 0.01);
    /* 50 km due east: 50 km less the 100 m to the east edge, to a metre. */
    v = geofence_check(&g, BK_LAT, lon_at(50000));
    assert_false(v.inside);
    assert_near(v.distance_m, 49900, 1);
    geofence_free(&g);
}

static void polygon_boundary_points_inside(void **state)
{
    struct geofence g;
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &g);
    /* A vertex, a point on the bottom edge (same latitude), one on a notch wall (same longitude). */
    struct geofence_verdict v = geofence_check(&g, lat_at(-100), lon_at(-100));
    assert_true(v.inside);
    assert_true(v.distance_m == 0.0);
    v = geofence_check(&g, lat_at(-100), lon_at(17));
    assert_true(v.inside);
    v = geofence_check(&g, lat_at(60), lon_at(40));
    assert_true(v.inside);
    /* Within GEOFENCE_BOUNDARY_M (1 mm) of the wall counts as on it; 2 mm into the notch does not. */
    v = geofence_check(&g, lat_at(60), lon_at(39.9995));
    assert_true(v.inside);
    v = geofence_check(&g, lat_at(60), lon_at(39.998));
    assert_false(v.inside);
    assert_near(v.distance_m, 0.002, 1e-5);
    v = geofence_check(&g, lat_at(-20), lon_at(0)); /* the notch's floor */
    assert_true(v.inside);
    v = geofence_check(&g, lat_at(100), lon_at(-40)); /* the inner corner of the left arm's top */
    assert_true(v.inside);
    geofence_free(&g);

    /* A diagonal edge: GeoJSON edges are straight in lon/lat, so its lon/lat midpoint lies on it. */
    parse_text_ok("{\"type\":\"polygon\",\"coordinates\":[[106.82,-6.19],[106.84,-6.18],[106.82,-6.17]]}", &g);
    v = geofence_check(&g, (-6.19 + -6.18) / 2, (106.82 + 106.84) / 2);
    assert_true(v.inside);
    assert_true(v.distance_m == 0.0);
    geofence_free(&g);
}

static void polygon_across_antimeridian(void **state)
{
    /* A square 0.002 degrees (222 m) wide centred on the 180th meridian, straddling the equator. */
    struct geofence g;
    parse_text_ok("{\"type\":\"polygon\",\"coordinates\":"
                  "[[179.999,-0.001],[-179.999,-0.001],[-179.999,0.001],[179.999,0.001]]}",
                  &g);
    static const double inside[][2] = {{0, 180}, {0, -180}, {0.0005, 179.9995}, {-0.0005, -179.9995}};
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        struct geofence_verdict v = geofence_check(&g, inside[i][0], inside[i][1]);
        if (!v.inside)
            fail_msg("(%g, %g) not inside", inside[i][0], inside[i][1]);
    }
    struct geofence_verdict v = geofence_check(&g, 0, 179.998);
    assert_false(v.inside);
    assert_near(v.distance_m, 0.001 * M_PER_DEG, 0.01);
    v = geofence_check(&g, 0, -179.998);
    assert_false(v.inside);
    assert_near(v.distance_m, 0.001 * M_PER_DEG, 0.01);
    /* The far side of the globe is outside, and far, not NaN. */
    v = geofence_check(&g, 0, 0);
    assert_false(v.inside);
    assert_true(isfinite(v.distance_m));
    assert_near(v.distance_m, M_PI * GEO_EARTH_RADIUS_M, 200);
    geofence_free(&g);
}

static void polygon_on_equator(void **state)
{
    /* A triangle across the equator south of Pontianak; points on the equator itself. */
    struct geofence g;
    parse_text_ok("{\"type\":\"polygon\",\"coordinates\":[[109.30,-0.01],[109.34,-0.01],[109.32,0.01]]}", &g);
    struct geofence_verdict v = geofence_check(&g, 0, 109.32);
    assert_true(v.inside);
    v = geofence_check(&g, 0, 109.31); /* on the west edge: lon 109.31 at lat 0 */
    assert_true(v.inside);
    v = geofence_check(&g, 0, 109.34); /* 0.01 degree east of the east edge (lon 109.33 at lat 0) */
    assert_false(v.inside);
    /* The edge runs at 45 degrees, so the nearest point on it is 0.01 / sqrt(2) degrees away: 786 m. */
    assert_near(v.distance_m, 0.01 / sqrt(2.0) * M_PER_DEG, 1);
    geofence_free(&g);
}

static void polygon_orientation_does_not_matter(void **state)
{
    double reversed[U_N][2];
    for (size_t i = 0; i < U_N; i++) {
        reversed[i][0] = U_SHAPE[U_N - 1 - i][0];
        reversed[i][1] = U_SHAPE[U_N - 1 - i][1];
    }
    struct geofence ccw, cw;
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &ccw);
    parse_ok(polygon_around_bk((const double(*)[2])reversed, U_N, false), &cw);
    static const double probes[][2] = {{-70, 50}, {0, 50}, {0, -60}, {0, 300}, {-100, 0}};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        struct geofence_verdict a = geofence_check(&ccw, lat_at(probes[i][1]), lon_at(probes[i][0]));
        struct geofence_verdict b = geofence_check(&cw, lat_at(probes[i][1]), lon_at(probes[i][0]));
        assert_int_equal(a.inside, b.inside);
        assert_near(a.distance_m, b.distance_m, 1e-6);
    }
    geofence_free(&ccw);
    geofence_free(&cw);
}

static void closed_and_open_rings_equal(void **state)
{
    struct geofence open, closed;
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &open);
    parse_ok(polygon_around_bk(U_SHAPE, U_N, true), &closed);
    assert_int_equal(open.polygon.count, U_N);
    assert_int_equal(closed.polygon.count, U_N);
    assert_memory_equal(open.polygon.vertices, closed.polygon.vertices, U_N * sizeof(struct geo_point));
    static const double probes[][2] = {{-70, 50}, {0, 50}, {0, 300}, {-100, 100}};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        struct geofence_verdict a = geofence_check(&open, lat_at(probes[i][1]), lon_at(probes[i][0]));
        struct geofence_verdict b = geofence_check(&closed, lat_at(probes[i][1]), lon_at(probes[i][0]));
        assert_int_equal(a.inside, b.inside);
        assert_true(a.distance_m == b.distance_m);
    }
    geofence_free(&open);
    geofence_free(&closed);
}

/* ---- JSON ---- */

static void circle_json_round_trips(void **state)
{
    json_t *in = json_pack("{s:s, s:f, s:f, s:f}", "type", "circle", "lat", BK_LAT, "lon", BK_LON, "radius_m", 150.5);
    struct geofence g, again;
    parse_ok(json_incref(in), &g);
    json_t *out = geofence_to_json(&g);
    assert_non_null(out);
    assert_true(json_equal(in, out));
    parse_ok(out, &again);
    assert_int_equal(again.type, GEOFENCE_CIRCLE);
    assert_true(again.circle.lat == BK_LAT && again.circle.lon == BK_LON && again.circle.radius_m == 150.5);
    json_decref(in);
    geofence_free(&g);
    geofence_free(&again);
}

static void polygon_json_round_trips(void **state)
{
    json_t *closed_in = polygon_around_bk(U_SHAPE, U_N, true);
    struct geofence g, again;
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &g);
    json_t *out = geofence_to_json(&g);
    assert_non_null(out);
    /* Given open, it comes back closed, in GeoJSON [lon, lat] order, with the same numbers. */
    assert_true(json_equal(closed_in, out));
    assert_int_equal(json_array_size(json_object_get(out, "coordinates")), U_N + 1);
    parse_ok(out, &again);
    assert_int_equal(again.polygon.count, U_N);
    assert_memory_equal(g.polygon.vertices, again.polygon.vertices, U_N * sizeof(struct geo_point));
    json_decref(closed_in);
    geofence_free(&g);
    geofence_free(&again);
}

static void integer_numbers_accepted(void **state)
{
    struct geofence g;
    parse_text_ok("{\"type\":\"circle\",\"lat\":-6,\"lon\":107,\"radius_m\":100,\"name\":\"ignored\"}", &g);
    assert_int_equal(g.type, GEOFENCE_CIRCLE);
    assert_true(g.circle.lat == -6 && g.circle.lon == 107 && g.circle.radius_m == 100);
    geofence_free(&g);
    parse_text_ok("{\"type\":\"polygon\",\"coordinates\":[[106,-7],[107,-7],[107,-6]]}", &g);
    assert_int_equal(g.polygon.count, 3);
    geofence_free(&g);
}

/* ---- validation ---- */

static void circle_radius_limits(void **state)
{
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83,\"radius_m\":9}",
                       "geofence.radius_m must be between 10 and 5000");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83,\"radius_m\":5001}",
                       "geofence.radius_m must be between 10 and 5000");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83,\"radius_m\":9.999}", "radius_m");
    struct geofence g;
    parse_text_ok("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83,\"radius_m\":10}", &g);
    geofence_free(&g);
    parse_text_ok("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83,\"radius_m\":5000.0}", &g);
    geofence_free(&g);
}

static void latitude_out_of_range_rejected(void **state)
{
    expect_reject_text("{\"type\":\"circle\",\"lat\":91,\"lon\":106.83,\"radius_m\":100}",
                       "geofence.lat must be between -90 and 90");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-90.0001,\"lon\":106.83,\"radius_m\":100}", "geofence.lat");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7],[107,91],[107,-6]]}",
                       "geofence.coordinates[1][1] (latitude) must be between -90 and 90");
}

static void longitude_out_of_range_rejected(void **state)
{
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":181,\"radius_m\":100}",
                       "geofence.lon must be between -180 and 180");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":-180.5,\"radius_m\":100}", "geofence.lon");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7],[107,-7],[181,-6]]}",
                       "geofence.coordinates[2][0] (longitude) must be between -180 and 180");
}

static void too_few_vertices_rejected(void **state)
{
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7],[107,-7]]}",
                       "geofence.coordinates must have between 3 and 1000 vertices, got 2");
    /* Three positions that close the ring are only two vertices. */
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7],[107,-7],[106,-7]]}", "got 2");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[]}", "got 0");
}

static void vertex_count_limits(void **state)
{
    expect_reject(regular_polygon(1001, 500, false), "geofence.coordinates must have between 3 and 1000 vertices");
    expect_reject(regular_polygon(1001, 500, true), "geofence.coordinates must have between 3 and 1000 vertices");
    struct geofence g;
    parse_ok(regular_polygon(1000, 500, false), &g);
    assert_int_equal(g.polygon.count, 1000);
    assert_true(geofence_check(&g, BK_LAT, BK_LON).inside);
    geofence_free(&g);
    parse_ok(regular_polygon(1000, 500, true), &g); /* 1001 positions, 1000 vertices */
    assert_int_equal(g.polygon.count, 1000);
    geofence_free(&g);
    parse_ok(regular_polygon(3, 500, false), &g);
    geofence_free(&g);
}

static void bow_tie_rejected(void **state)
{
    static const double bow_tie[][2] = {{0, 0}, {100, 100}, {100, 0}, {0, 100}};
    expect_reject(polygon_around_bk(bow_tie, 4, false), "geofence.coordinates must not cross or touch itself");
    expect_reject(polygon_around_bk(bow_tie, 4, true), "must not cross or touch itself");
}

static void touching_edges_rejected(void **state)
{
    /* Vertex 3 sits on the bottom edge: the edges meet without crossing. */
    static const double touching[][2] = {{0, 0}, {100, 0}, {100, 100}, {50, 0}, {0, 100}};
    expect_reject(polygon_around_bk(touching, 5, false), "must not cross or touch itself");
    /* Vertex 3 goes back along the edge it came from: a spike of zero width. */
    static const double spike[][2] = {{0, 0}, {100, 0}, {100, 100}, {100, 50}, {0, 100}};
    expect_reject(polygon_around_bk(spike, 5, false), "must not cross or touch itself");
    /* Two vertices at the same place, not consecutive: a figure eight pinched at a point. */
    static const double pinched[][2] = {{0, 0}, {50, 50}, {100, 0}, {100, 100}, {50, 50}, {0, 100}};
    expect_reject(polygon_around_bk(pinched, 6, false), "must not cross or touch itself");
}

static void repeated_consecutive_vertex_rejected(void **state)
{
    static const double repeated[][2] = {{0, 0}, {100, 0}, {100, 0}, {100, 100}, {0, 100}};
    expect_reject(polygon_around_bk(repeated, 5, false), "geofence.coordinates[2] repeats coordinates[1]");
    /* The closing position repeated twice: the second copy is a repeat, not a closure. */
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7],[107,-7],[107,-6],[106,-7],[106,-7]]}",
                       "repeats");
}

static void zero_area_rejected(void **state)
{
    static const double flat[][2] = {{0, 0}, {50, 0}, {100, 0}};
    expect_reject(polygon_around_bk(flat, 3, false), "geofence.coordinates must enclose a non-zero area");
    static const double diagonal[][2] = {{0, 0}, {30, 30}, {100, 100}, {60, 60}};
    expect_reject(polygon_around_bk(diagonal, 4, true), "non-zero area");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106.80,-6.10],[106.81,-6.11],[106.82,-6.12]]}",
                       "non-zero area");
}

static void huge_longitude_span_rejected(void **state)
{
    /* A ring around the north pole has no inside in longitude/latitude. */
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[0,80],[120,80],[-120,80]]}",
                       "geofence.coordinates must span less than 180 degrees of longitude");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[-100,0],[0,0],[100,0],[100,10],[0,10],[-100,10]]}",
                       "span less than 180");
}

static void wrong_types_rejected(void **state)
{
    expect_reject_text("[]", "geofence must be an object");
    expect_reject_text("{\"type\":5}", "geofence.type must be a string");
    expect_reject_text("{\"type\":\"circle\",\"lat\":\"-6.18\",\"lon\":106.83,\"radius_m\":100}",
                       "geofence.lat must be a number");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":null,\"radius_m\":100}",
                       "geofence.lon must be a number");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83,\"radius_m\":true}",
                       "geofence.radius_m must be a number");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":{\"0\":[106,-7]}}",
                       "geofence.coordinates must be an array");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7],\"107,-7\",[107,-6]]}",
                       "geofence.coordinates[1] must be a [lon, lat] pair of numbers");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7],[107,-7],[107,\"-6\"]]}",
                       "geofence.coordinates[2] must be a [lon, lat] pair");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106,-7,10],[107,-7],[107,-6]]}",
                       "geofence.coordinates[0] must be a [lon, lat] pair");
    expect_reject_text("{\"type\":\"polygon\",\"coordinates\":[[106],[107,-7],[107,-6]]}",
                       "geofence.coordinates[0] must be a [lon, lat] pair");
    char err[64];
    struct geofence g;
    assert_int_equal(geofence_from_json(NULL, &g, err, sizeof err), -1);
    assert_string_equal(err, "geofence is required");
    assert_int_equal(g.type, GEOFENCE_NONE);
}

static void missing_fields_rejected(void **state)
{
    expect_reject_text("{}", "geofence.type is required");
    expect_reject_text("{\"lat\":-6.18,\"lon\":106.83,\"radius_m\":100}", "geofence.type is required");
    expect_reject_text("{\"type\":\"circle\",\"lon\":106.83,\"radius_m\":100}", "geofence.lat is required");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"radius_m\":100}", "geofence.lon is required");
    expect_reject_text("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83}", "geofence.radius_m is required");
    expect_reject_text("{\"type\":\"polygon\"}", "geofence.coordinates is required");
}

static void unknown_type_rejected(void **state)
{
    static const char *const types[] = {"point", "Circle", "multipolygon", ""};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        json_t *obj = json_pack("{s:s, s:f, s:f, s:f}", "type", types[i], "lat", BK_LAT, "lon", BK_LON, "radius_m",
                                100.0);
        expect_reject(obj, "geofence.type must be \"circle\" or \"polygon\"");
    }
}

static void error_buffer_may_be_absent(void **state)
{
    json_t *obj = json_loads("{\"type\":\"circle\",\"lat\":99,\"lon\":0,\"radius_m\":100}", 0, NULL);
    struct geofence g;
    assert_int_equal(geofence_from_json(obj, &g, NULL, 0), -1);
    char tiny[8];
    assert_int_equal(geofence_from_json(obj, &g, tiny, sizeof tiny), -1);
    assert_string_equal(tiny, "geofenc"); /* truncated, still terminated */
    json_decref(obj);
}

/* ---- lifetime and degenerate use ---- */

static void free_is_safe_on_empty_and_circle(void **state)
{
    struct geofence g;
    memset(&g, 0, sizeof g);
    geofence_free(&g);
    geofence_free(NULL);
    parse_text_ok("{\"type\":\"circle\",\"lat\":0,\"lon\":0,\"radius_m\":100}", &g);
    geofence_free(&g);
    assert_int_equal(g.type, GEOFENCE_NONE);
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &g);
    geofence_free(&g);
    assert_int_equal(g.type, GEOFENCE_NONE);
    assert_null(g.polygon.vertices);
    geofence_free(&g); /* twice is harmless: the first emptied it */
}

static void a_record_at_a_place_is_put_at_its_centre(void **state)
{
    struct geofence g;
    parse_text_ok("{\"type\":\"circle\",\"lat\":-6.18,\"lon\":106.83,\"radius_m\":100}", &g);
    struct geo_point c = geofence_center(&g);
    assert_true(c.lat == -6.18 && c.lon == 106.83);
    parse_text_ok("{\"type\":\"polygon\",\"coordinates\":[[106.0,-6.0],[106.2,-6.0],[106.2,-6.2],[106.0,-6.2],[106.0,-6.0]]}",
                  &g);
    c = geofence_center(&g);
    assert_true(fabs(c.lat + 6.1) < 1e-9 && fabs(c.lon - 106.1) < 1e-9);
    geofence_free(&g);
    c = geofence_center(&g);
    assert_true(c.lat == 0 && c.lon == 0);
}

static void empty_geofence_and_bad_point_contain_nothing(void **state)
{
    struct geofence g;
    memset(&g, 0, sizeof g);
    struct geofence_verdict v = geofence_check(&g, 0, 0);
    assert_false(v.inside);
    assert_true(isinf(v.distance_m));
    assert_null(geofence_to_json(&g));
    parse_text_ok("{\"type\":\"circle\",\"lat\":0,\"lon\":0,\"radius_m\":100}", &g);
    v = geofence_check(&g, NAN, 0);
    assert_false(v.inside);
    assert_true(isinf(v.distance_m));
    geofence_free(&g);
    parse_ok(polygon_around_bk(U_SHAPE, U_N, false), &g);
    v = geofence_check(&g, BK_LAT, INFINITY);
    assert_false(v.inside);
    assert_true(isinf(v.distance_m));
    geofence_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(distance_balai_kota_to_monas),
        cmocka_unit_test(distance_one_degree),
        cmocka_unit_test(distance_symmetric_and_zero),
        cmocka_unit_test(distance_across_antimeridian),
        cmocka_unit_test(distance_antipodes_finite),
        cmocka_unit_test(circle_point_50m_inside),
        cmocka_unit_test(circle_point_500m_outside_by_400m),
        cmocka_unit_test(circle_boundary_inside),
        cmocka_unit_test(circle_across_antimeridian),
        cmocka_unit_test(polygon_point_in_arms_inside),
        cmocka_unit_test(polygon_point_in_notch_outside),
        cmocka_unit_test(polygon_point_far_outside),
        cmocka_unit_test(polygon_boundary_points_inside),
        cmocka_unit_test(polygon_across_antimeridian),
        cmocka_unit_test(polygon_on_equator),
        cmocka_unit_test(polygon_orientation_does_not_matter),
        cmocka_unit_test(closed_and_open_rings_equal),
        cmocka_unit_test(circle_json_round_trips),
        cmocka_unit_test(polygon_json_round_trips),
        cmocka_unit_test(integer_numbers_accepted),
        cmocka_unit_test(circle_radius_limits),
        cmocka_unit_test(latitude_out_of_range_rejected),
        cmocka_unit_test(longitude_out_of_range_rejected),
        cmocka_unit_test(too_few_vertices_rejected),
        cmocka_unit_test(vertex_count_limits),
        cmocka_unit_test(bow_tie_rejected),
        cmocka_unit_test(touching_edges_rejected),
        cmocka_unit_test(repeated_consecutive_vertex_rejected),
        cmocka_unit_test(zero_area_rejected),
        cmocka_unit_test(huge_longitude_span_rejected),
        cmocka_unit_test(wrong_types_rejected),
        cmocka_unit_test(missing_fields_rejected),
        cmocka_unit_test(unknown_type_rejected),
        cmocka_unit_test(error_buffer_may_be_absent),
        cmocka_unit_test(free_is_safe_on_empty_and_circle),
        cmocka_unit_test(empty_geofence_and_bad_point_contain_nothing),
        cmocka_unit_test(a_record_at_a_place_is_put_at_its_centre),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
