/*
 * config_keys.h: the private half of the config key table, for config.c's
 * validation (the public half, config_keys[], is declared in config.h):
 * how each key is read and where it goes, and the lookups by name.
 */
#ifndef TAP_CONFIG_KEYS_H
#define TAP_CONFIG_KEYS_H

#include <stddef.h>

/* How a key's value is read and where it goes. */
typedef enum KeyKind
{
	KIND_STRING, /* a string */
	KIND_SECRET, /* a string never printed, registered with the log */
	KIND_URL,    /* a postgres:// URI, secret */
	KIND_PATH,   /* a string naming a readable file */
	KIND_PORT,   /* 1..65535, integer or digits, stored as a string */
	KIND_POSINT, /* 1..INT_MAX, integer or digits */
	KIND_BOOL,   /* true/false or "true"/"false" */
	KIND_SSL,    /* like KIND_BOOL, but sets sslmode */
	KIND_ENUM,   /* one of choices, case-insensitive, stored canonical */
	KIND_LIST,   /* a list of strings or a comma-separated string */
	KIND_RULES,  /* select or metadata rules (select.h), kept as JSON */
} KeyKind;

/* The private half of a key's entry. */
typedef struct KeySpec
{
	KeyKind kind;
	size_t offset;       /* of the field in TapConfig */
	size_t count_offset; /* KIND_LIST: of the item count */
} KeySpec;

/* One KeySpec per entry of config_keys[], in the same order. */
extern const KeySpec config_key_specs[];

/* sslmode's allowed values, NULL-terminated */
extern const char *const config_sslmode_choices[];

/*
 * config_key_hint: the key of this tap that the unknown key most likely
 * meant, or NULL
 */
const char *config_key_hint(const char *key);

/* config_find_key: the index of name in config_keys, or -1 */
int config_find_key(const char *name);

#endif
