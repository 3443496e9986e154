/* Shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c): a check that stops the run with a message.
 * A harness asserts what the parser promises in its header, so a wrong answer is found, not only a
 * crash. */
#ifndef MINIHV_FUZZ_H
#define MINIHV_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                        \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "%s:%d: promise broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                \
		}                                                                               \
	} while (0)

/* Takes n bytes from the front of the input (zeros past its end). */
static inline void fuzz_take(const unsigned char **data, size_t *size, void *out, size_t n)
{
	size_t k = *size < n ? *size : n;
	memset(out, 0, n);
	memcpy(out, *data, k);
	*data += k;
	*size -= k;
}

#endif
