/*
 * about.c: the --about output, as text, markdown or JSON.
 *
 * Everything about the settings comes from config_keys[] (config.c), the
 * table that also drives validation, so --about cannot describe a key
 * differently from how it is read.
 */
#include "tap/about.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tap/cli.h"
#include "tap/config.h"
#include "tap/log.h"
#include "tap_config.h"

#define ABOUT_NAME "tap-postgres"
#define ABOUT_DESCRIPTION                                                      \
	"Singer tap for PostgreSQL: discovers tables, views and materialized "     \
	"views and extracts them with FULL_TABLE, INCREMENTAL or XMIN "            \
	"replication; "                                                            \
	"drop-in compatible with singer-io/tap-postgres"

static const char *const capabilities[] = {
	"catalog", "discover", "state", "properties", "about", "test", NULL,
};

/*
 * default_json: the default of key k as a typed JSON value (returns
 * owned), or NULL when the key has none.
 */
static json_t *
default_json(const ConfigKeyInfo *k)
{
	if (k->default_text == NULL)
		return NULL;
	if (strcmp(k->type, "integer") == 0)
		return json_integer(strtoll(k->default_text, NULL, 10));
	if (strcmp(k->type, "boolean") == 0)
		return json_boolean(strcmp(k->default_text, "true") == 0);
	return json_string(k->default_text);
}

/*
 * render_json: one JSON object, in the shape the Singer SDK's
 * "--about --format json" prints, with a JSON Schema of the settings.
 */
static void
render_json(Buf *out)
{
	json_t *doc = json_object();
	json_t *caps = json_array();
	json_t *settings = json_object();
	json_t *props = json_object();
	char *text;

	for (size_t i = 0; capabilities[i] != NULL; i++)
		json_array_append_new(caps, json_string(capabilities[i]));
	for (size_t i = 0; i < config_nkeys; i++)
	{
		const ConfigKeyInfo *k = &config_keys[i];
		json_t *p = json_object();
		json_t *def = default_json(k);

		json_object_set_new(p, "type", json_string(k->type));
		if (strcmp(k->type, "array") == 0)
			json_object_set_new(p, "items",
								json_pack("{s:s}", "type", "string"));
		if (def != NULL)
			json_object_set_new(p, "default", def);
		if (k->choices != NULL)
		{
			json_t *e = json_array();

			for (size_t c = 0; k->choices[c] != NULL; c++)
				json_array_append_new(e, json_string(k->choices[c]));
			json_object_set_new(p, "enum", e);
		}
		if (k->secret)
		{
			json_object_set_new(p, "secret", json_true());
			json_object_set_new(p, "writeOnly", json_true());
		}
		json_object_set_new(p, "description", json_string(k->description));
		json_object_set_new(props, k->name, p);
	}
	json_object_set_new(settings, "type", json_string("object"));
	json_object_set_new(settings, "properties", props);
	json_object_set_new(settings, "required", json_array());

	json_object_set_new(doc, "name", json_string(ABOUT_NAME));
	json_object_set_new(doc, "description", json_string(ABOUT_DESCRIPTION));
	json_object_set_new(doc, "version", json_string(TAP_VERSION));
	json_object_set_new(doc, "capabilities", caps);
	json_object_set_new(doc, "settings", settings);

	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_append_str(out, text);
	buf_putc(out, '\n');
	free(text);
	json_decref(doc);
}

/*
 * md_cell: appends s as the text of a markdown table cell: '|' escaped,
 * '<' and '>' as entities so that "<schema>" is not read as HTML.
 */
static void
md_cell(Buf *out, const char *s)
{
	for (; *s; s++)
	{
		if (*s == '<')
			buf_append_str(out, "&lt;");
		else if (*s == '>')
			buf_append_str(out, "&gt;");
		else
		{
			if (*s == '|')
				buf_putc(out, '\\');
			buf_putc(out, *s);
		}
	}
}

/*
 * render_markdown: a heading, the capabilities and a table of every
 * setting, ready to paste into README.
 */
static void
render_markdown(Buf *out)
{
	buf_printf(out, "# %s %s\n\n%s.\n\n## Capabilities\n\n", ABOUT_NAME,
			   TAP_VERSION, ABOUT_DESCRIPTION);
	for (size_t i = 0; capabilities[i] != NULL; i++)
		buf_printf(out, "- `%s`\n", capabilities[i]);
	buf_append_str(out, "\n## Settings\n\n"
						"| Setting | Type | Default | Description |\n"
						"| --- | --- | --- | --- |\n");
	for (size_t i = 0; i < config_nkeys; i++)
	{
		const ConfigKeyInfo *k = &config_keys[i];

		buf_printf(out, "| `%s` | %s%s | ", k->name, k->type,
				   k->secret ? ", secret" : "");
		if (k->default_text != NULL)
			buf_printf(out, "`%s`", k->default_text);
		buf_append_str(out, " | ");
		md_cell(out, k->description);
		buf_append_str(out, " |\n");
	}
	buf_append_str(out, "\nA JSON or YAML file may hold these settings; "
						"unknown keys are ignored with a warning.\n");
}

/*
 * render_text: the plain, human-readable form.
 */
static void
render_text(Buf *out)
{
	buf_printf(out, "%s %s\n%s.\n\nCapabilities:", ABOUT_NAME, TAP_VERSION,
			   ABOUT_DESCRIPTION);
	for (size_t i = 0; capabilities[i] != NULL; i++)
		buf_printf(out, "%s %s", i == 0 ? "" : ",", capabilities[i]);
	buf_append_str(out, "\n\nSettings (JSON or YAML config file):\n");
	for (size_t i = 0; i < config_nkeys; i++)
	{
		const ConfigKeyInfo *k = &config_keys[i];

		buf_printf(out, "  %s (%s%s%s%s)\n      %s\n", k->name, k->type,
				   k->secret ? ", secret" : "",
				   k->default_text ? ", default " : "",
				   k->default_text ? k->default_text : "", k->description);
	}
}

/*
 * man_text: appends s as troff text: backslashes escaped, and a leading
 * '.' or '\'' made literal so that it is not read as a request.
 */
static void
man_text(Buf *out, const char *s)
{
	bool line_start = true;

	for (; *s; s++)
	{
		if (line_start && (*s == '.' || *s == '\''))
			buf_append_str(out, "\\&");
		if (*s == '\\')
			buf_append_str(out, "\\e");
		else if (*s == '-')
			buf_append_str(out, "\\-");
		else
			buf_putc(out, *s);
		line_start = *s == '\n';
	}
}

/*
 * render_man: the manual page tap-postgres(1), troff -man: the usage text
 * of --help and every setting, from the same tables as --help and --about.
 */
static void
render_man(Buf *out)
{
	Buf usage;

	buf_init(&usage, 2048);
	cli_usage(&usage);
	buf_printf(out,
			   ".TH TAP\\-POSTGRES 1 \"\" \"%s %s\" \"User Commands\"\n"
			   ".SH NAME\n%s \\- ",
			   ABOUT_NAME, TAP_VERSION, ABOUT_NAME);
	man_text(out, ABOUT_DESCRIPTION);
	buf_append_str(out, "\n.SH SYNOPSIS AND OPTIONS\n.nf\n");
	man_text(out, buf_cstr(&usage));
	buf_fini(&usage);
	buf_append_str(out, ".fi\n.SH CAPABILITIES\n");
	for (size_t i = 0; capabilities[i] != NULL; i++)
		buf_printf(out, "%s%s", i == 0 ? "" : ", ", capabilities[i]);
	buf_append_str(out, "\n.SH CONFIGURATION\n"
						"The \\-\\-config file is a JSON or YAML object with "
						"these keys; unknown keys are ignored with a "
						"warning.\n");
	for (size_t i = 0; i < config_nkeys; i++)
	{
		const ConfigKeyInfo *k = &config_keys[i];

		buf_printf(out, ".TP\n.B %s\n(%s%s", k->name, k->type,
				   k->secret ? ", secret" : "");
		if (k->default_text != NULL)
		{
			buf_append_str(out, ", default ");
			man_text(out, k->default_text);
		}
		buf_append_str(out, ")\n");
		man_text(out, k->description);
		buf_putc(out, '\n');
	}
	buf_append_str(out, ".SH SEE ALSO\n"
						"README.md in the source distribution: replication "
						"methods, state, selection rules, Meltano.\n");
}

/*
 * about_render: appends the --about output in format to out. See about.h.
 */
TapStatus
about_render(Buf *out, const char *format)
{
	if (format == NULL)
		render_text(out);
	else if (strcmp(format, "json") == 0)
		render_json(out);
	else if (strcmp(format, "markdown") == 0)
		render_markdown(out);
	else if (strcmp(format, "man") == 0)
		render_man(out);
	else
	{
		log_critical("unknown --about format \"%s\": use \"json\", "
					 "\"markdown\" or \"man\"",
					 format);
		return TAP_ERR_INPUT;
	}
	return TAP_OK;
}
