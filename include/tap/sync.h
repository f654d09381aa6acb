/*
 * sync.h: the run: the selected streams out as Singer messages.
 *
 * Before the first message, every selected stream is planned against the
 * live database (plan.h: the table exists, every emitted column and the
 * replication key exist and can be read), its method's own check runs
 * and its bookmark is validated, so a bad catalog or state fails with
 * nothing written. Then the streams are synced one by one by their
 * replication method (repl.h): the one named in currently_syncing first,
 * the others by tap_stream_id.
 */
#ifndef TAP_SYNC_H
#define TAP_SYNC_H

#include <jansson.h>

#include "tap/catalog.h"
#include "tap/config.h"
#include "tap/status.h"
#include "tap/writer.h"

/*
 * sync_run: syncs cat's streams. state (borrowed) is updated in place and
 * written in STATE messages; catalog_path and state_path name the files
 * in errors.
 */
TapStatus sync_run(const TapConfig *cfg, const Catalog *cat,
				   const char *catalog_path, const char *state_path,
				   json_t *state, Writer *w);

#endif
