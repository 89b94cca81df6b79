/* Geofence JSON (offices) on arbitrary bytes, and the check of a point against what parses. */
#include "geo.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!doc)
        return 0;
    struct geofence g;
    char err[256];
    if (geofence_from_json(doc, &g, err, sizeof err) == 0) {
        (void)geofence_check(&g, -6.1818, 106.8283);
        json_decref(geofence_to_json(&g));
        geofence_free(&g);
    }
    json_decref(doc);
    return 0;
}
