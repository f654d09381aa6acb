/*
 * yamlscalar.h: the YAML 1.2 core schema's resolution of a scalar's text,
 * for yamlconv. Nothing here allocates or logs.
 */
#ifndef TAP_YAMLSCALAR_H
#define TAP_YAMLSCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * yamlscalar_resolve_int: *out = the integer s[0..n) ([-+]digits, 0o
 * octal, 0x hex); false when s is not one or does not fit int64
 */
bool yamlscalar_resolve_int(const char *s, size_t n, int64_t *out);

/*
 * yamlscalar_resolve_float: *out = the float s[0..n) in decimal notation,
 * with a '.' or an exponent unless tagged !!float; false otherwise
 */
bool yamlscalar_resolve_float(const char *s, size_t n, bool tagged,
							  double *out);

/* yamlscalar_is_word: whether s[0..n) is one of the NULL-terminated words */
bool yamlscalar_is_word(const char *s, size_t n, const char *const *words);

/* The core schema's words for null, true and false (NULL-terminated) */
extern const char *const yamlscalar_null_words[];
extern const char *const yamlscalar_true_words[];
extern const char *const yamlscalar_false_words[];

#endif
