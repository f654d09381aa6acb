/*
 * test_scan.c: how a FULL_TABLE read chooses to scan a table, by server
 * version, relation kind, access method and grants.
 */
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
	const char *forced;
	ScanKind want;
	const char *why; /* a word the reason must contain, or NULL for none */
} Case;

static const Case cases[] = {
	/* ordinary heap tables: TID ranges from 14 on, one pass before */
	{150004, 'r', "heap", true, NULL, SCAN_TID_RANGES, NULL},
	{140000, 'r', "heap", true, NULL, SCAN_TID_RANGES, NULL},
	{130012, 'r', "heap", true, NULL, SCAN_ONE_PASS, NULL},
	{120000, 'r', "heap", true, NULL, SCAN_ONE_PASS, NULL},
	/* forcing the older path, or the newer one, on any server */
	{150004, 'r', "heap", true, "one-pass", SCAN_ONE_PASS, NULL},
	{130012, 'r', "heap", true, "tid-ranges", SCAN_TID_RANGES, NULL},
	{150004, 'r', "heap", true, "whole", SCAN_WHOLE, "TAP_SCAN_STRATEGY"},
	/* an unknown forced value changes nothing */
	{150004, 'r', "heap", true, "sideways", SCAN_TID_RANGES, NULL},
	/* no physical order to resume from */
	{150004, 'r', "columnar", true, NULL, SCAN_WHOLE, "access method"},
	{150004, 'r', "heap", false, NULL, SCAN_WHOLE, "ctid"},
	{150004, 'v', "", true, NULL, SCAN_WHOLE, "view"},
	{150004, 'm', "heap", true, NULL, SCAN_WHOLE, "materialized view"},
	{150004, 'p', "", true, NULL, SCAN_WHOLE, "partitioned"},
	{150004, 'f', "", true, NULL, SCAN_WHOLE, "foreign"},
	/* forcing never makes a view or a foreign table physical */
	{150004, 'v', "", true, "tid-ranges", SCAN_WHOLE, "view"},
	{130012, 'f', "", true, "one-pass", SCAN_WHOLE, "foreign"},
	{150004, 'r', "columnar", true, "one-pass", SCAN_WHOLE, "access method"},
	/* a partition is an ordinary table */
	{150004, 'r', "heap", true, NULL, SCAN_TID_RANGES, NULL},
};

int
main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
	{
		const Case *c = &cases[i];
		ScanChoice got = scan_choose(c->version, c->relkind, c->amname,
									 c->ctid_readable, c->forced);
		char name[160];

		snprintf(name, sizeof name, "case %zu: %d %c %s%s %s", i, c->version,
				 c->relkind, c->amname, c->ctid_readable ? "" : " no-ctid",
				 c->forced ? c->forced : "-");
		is_int(got.kind, c->want, name);
		if (c->why == NULL)
			ok(got.why == NULL, "  no reason to read it whole");
		else
			ok(got.why != NULL && strstr(got.why, c->why) != NULL,
			   "  the reason names it");
	}
	return done_testing();
}
