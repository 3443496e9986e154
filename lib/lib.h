/* Freestanding string, memory and formatting helpers (lib/lib.c); no hardware access. */
#ifndef MINIHV_LIB_H
#define MINIHV_LIB_H

#include <stdarg.h>
#include "types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/* printf subset: %c %s %d %i %u %x %X %p %%, flags '0' '-', width, 'l'/'ll'/'z'. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parses a number (decimal, 0x hex) with an optional K/M/G suffix when allow_suffix.
 * Returns false on any junk or overflow. */
bool parse_u64(const char *s, size_t len, u64 *out, bool allow_suffix);

/* Looks for "key=value" or a bare "key" in a space-separated option string.
 * Copies the value (empty for a bare key) into val and returns true when found. */
bool option_get(const char *opts, const char *key, char *val, size_t val_size);

#endif
