/*
 * yamlconv.h: YAML text to json_t (libyaml's event API), for docload.
 *
 * The result is the json_t a JSON file with the same content would give;
 * nesting and alias expansion are bounded by DOCLOAD_MAX_DEPTH and
 * DOCLOAD_MAX_NODES. Logs nothing: the caller names the file.
 */
#ifndef TAP_YAMLCONV_H
#define TAP_YAMLCONV_H

#include <jansson.h>
#include <stddef.h>

/* How a conversion failed: the parser's syntax, or our own checks. */
typedef enum YamlFailure
{
	YAML_FAIL_NONE = 0,
	YAML_FAIL_SYNTAX,  /* libyaml rejected the text */
	YAML_FAIL_CONTENT, /* valid YAML we do not accept (limits, keys, tags) */
} YamlFailure;

/* Room for a failure's message */
#define YAMLCONV_ERRMSG_SIZE 1024

/*
 * yamlconv_to_json: converts data[0..len) (UTF-8, no NUL) into *out
 * (owned; NULL for a stream without a document or with an empty one). On
 * failure returns its kind, with the message (positions included) in
 * errmsg[0..errsize).
 */
YamlFailure yamlconv_to_json(const char *data, size_t len, json_t **out,
							 char *errmsg, size_t errsize);

#endif
