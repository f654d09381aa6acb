/*
 * discover_catalog.h: the Singer catalog of --discover, built from
 * discover_tables' reading of each database (README's "Discovery").
 */
#ifndef TAP_DISCOVER_CATALOG_H
#define TAP_DISCOVER_CATALOG_H

#include <jansson.h>

#include "tap/config.h"
#include "tap/status.h"

/*
 * discover_catalog: connects to the configured database (and each of
 * filter_dbs), and returns the whole catalog {"streams": [...]} (owned).
 */
TapStatus discover_catalog(const TapConfig *cfg, json_t **out);

#endif
