/*
 * test_scan.c: how a FULL_TABLE read chooses to scan a table, by server
 * version, relation kind, access method, grants, and the table's size
 * against the server's shared_buffers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "tap/scan.h"

typedef struct Case
{
	int version;
	char relkind;
	const char *amname;
	bool ctid_readable;
	int64_t nblocks;     /* the table's blocks */
	int64_t ring_blocks; /* a quarter of shared_buffers (0: unknown) */
	bool timeout;        /* a statement_timeout is set */
	bool split;          /* parallel_large_tables */
	const char *forced;
	ScanKind want;
	const char *why; /* a word the reason must contain, or NULL for none */
} Case;

static const Case cases[] = {
	/* ordinary heap tables: TID ranges from 14 on, one pass before */
	{150004, 'r', "heap", true, 100, 4096, false, false, NULL, SCAN_TID_RANGES,
	 NULL},
	{140000, 'r', "heap", true, 100, 4096, false, false, NULL, SCAN_TID_RANGES,
	 NULL},
	{130012, 'r', "heap", true, 100, 4096, false, false, NULL, SCAN_ONE_PASS,
	 NULL},
	{120000, 'r', "heap", true, 100, 4096, false, false, NULL, SCAN_ONE_PASS,
	 NULL},
	/* forcing the older path, or the newer one, on any server */
	{150004, 'r', "heap", true, 100, 4096, false, false, "one-pass",
	 SCAN_ONE_PASS, NULL},
	{130012, 'r', "heap", true, 100, 4096, false, false, "tid-ranges",
	 SCAN_TID_RANGES, NULL},
	{150004, 'r', "heap", true, 100, 4096, false, false, "whole", SCAN_WHOLE,
	 "TAP_SCAN_STRATEGY"},
	/* an unknown forced value changes nothing */
	{150004, 'r', "heap", true, 100, 4096, false, false, "sideways",
	 SCAN_TID_RANGES, NULL},
	/* no physical order to resume from */
	{150004, 'r', "columnar", true, 100, 4096, false, false, NULL, SCAN_WHOLE,
	 "access method"},
	{150004, 'r', "heap", false, 100, 4096, false, false, NULL, SCAN_WHOLE,
	 "ctid"},
	{150004, 'v', "", true, 100, 4096, false, false, NULL, SCAN_WHOLE, "view"},
	{150004, 'm', "heap", true, 100, 4096, false, false, NULL, SCAN_WHOLE,
	 "materialized view"},
	{150004, 'p', "", true, 100, 4096, false, false, NULL, SCAN_WHOLE,
	 "partitioned"},
	{150004, 'f', "", true, 100, 4096, false, false, NULL, SCAN_WHOLE,
	 "foreign"},
	/* forcing never makes a view or a foreign table physical */
	{150004, 'v', "", true, 100, 4096, false, false, "tid-ranges", SCAN_WHOLE,
	 "view"},
	{130012, 'f', "", true, 100, 4096, false, false, "one-pass", SCAN_WHOLE,
	 "foreign"},
	{150004, 'r', "columnar", true, 100, 4096, false, false, "one-pass",
	 SCAN_WHOLE, "access method"},
	/* larger than a quarter of shared_buffers: one pass through the
	 * server's ring of buffers, unless statements must stay short */
	{150004, 'r', "heap", true, 4097, 4096, false, false, NULL, SCAN_ONE_PASS,
	 "ring"},
	{150004, 'r', "heap", true, 4096, 4096, false, false, NULL, SCAN_TID_RANGES,
	 NULL},
	{150004, 'r', "heap", true, 4097, 4096, true, false, NULL, SCAN_TID_RANGES,
	 "statement_timeout"},
	{150004, 'r', "heap", true, 999999, 0, false, false, NULL, SCAN_TID_RANGES,
	 NULL},
	{130012, 'r', "heap", true, 4097, 4096, true, false, NULL, SCAN_ONE_PASS,
	 NULL},
	/* parallel_large_tables: ranges to share, said why */
	{150004, 'r', "heap", true, 4097, 4096, false, true, NULL, SCAN_TID_RANGES,
	 "parallel_large_tables"},
	{150004, 'r', "heap", true, 100, 4096, false, true, NULL, SCAN_TID_RANGES,
	 NULL},
	{150004, 'r', "heap", true, 4097, 4096, false, false, "tid-ranges",
	 SCAN_TID_RANGES, NULL},
	{150004, 'r', "heap", true, 4097, 4096, false, false, "whole", SCAN_WHOLE,
	 "TAP_SCAN_STRATEGY"},
	/* a partition is an ordinary table */
	{150004, 'r', "heap", true, 100, 4096, false, false, NULL, SCAN_TID_RANGES,
	 NULL},
};

int
main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
	{
		const Case *c = &cases[i];
		ScanFacts f;
		ScanChoice got;
		char name[200];

		plan_facts_default(&f);
		snprintf(f.amname, sizeof f.amname, "%s", c->amname);
		f.ctid_readable = c->ctid_readable;
		f.nblocks = c->nblocks;
		f.ring_blocks = c->ring_blocks;
		f.statement_timeout = c->timeout;
		got = scan_choose(c->version, c->relkind, &f, c->split, c->forced);
		snprintf(name, sizeof name,
				 "case %zu: %d %c %s%s %" PRId64 "/%" PRId64 "%s%s %s", i,
				 c->version, c->relkind, c->amname,
				 c->ctid_readable ? "" : " no-ctid", c->nblocks, c->ring_blocks,
				 c->timeout ? " timeout" : "", c->split ? " split" : "",
				 c->forced ? c->forced : "-");
		is_int(got.kind, c->want, name);
		if (c->why == NULL)
			ok(got.why == NULL, "  no reason given");
		else
			ok(got.why != NULL && strstr(got.why, c->why) != NULL,
			   "  the reason names it");
	}
	return done_testing();
}
