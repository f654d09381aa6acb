/*
 * sync.h: streaming the selected streams out as Singer messages
 * (SPEC section 5).
 *
 * Before the first message, every selected stream is checked against the
 * live database (the table exists, every emitted column and the
 * replication key exist and can be read), so a bad catalog fails with
 * nothing written. Then the streams are synced one by one, the one named
 * in currently_syncing first, the others by tap_stream_id.
 */
#ifndef TAP_SYNC_H
#define TAP_SYNC_H

#include <jansson.h>

#include "tap/catalog.h"
#include "tap/config.h"
#include "tap/status.h"
#include "tap/writer.h"

/* How often a STATE goes out while a stream is syncing. */
#define SYNC_STATE_EVERY_ROWS     10000
#define SYNC_STATE_EVERY_SECONDS  5
#define SYNC_METRIC_EVERY_SECONDS 60
/* FULL_TABLE reads a table in block ranges of this many blocks (8 MiB of
 * 8 KiB pages): the resume granularity, and one COPY statement each */
#define SYNC_CHUNK_BLOCKS 1024

/*
 * sync_run: syncs cat's streams. state (borrowed) is updated in place and
 * written in STATE messages; catalog_path and state_path name the files
 * in errors.
 */
TapStatus sync_run(const TapConfig *cfg, const Catalog *cat,
				   const char *catalog_path, const char *state_path,
				   json_t *state, Writer *w);

#endif
