/* minihv.cfg parsing. Pure logic: host tests link this file. */
#include "core.h"
#include "lib.h"

void config_hypervisor_options(const char *text, size_t len, char *out, size_t size)
{
	/* Minimal reader for the [hypervisor] options line; the full parser lives beside it. */
	bool in_hv = false;
	if (size)
		out[0] = 0;
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t b = i;
		while (b < e && (text[b] == ' ' || text[b] == '\t'))
			b++;
		size_t le = e;
		while (le > b && (text[le - 1] == ' ' || text[le - 1] == '\t' || text[le - 1] == '\r'))
			le--;
		if (b < le && text[b] == '[') {
			in_hv = le - b == 12 && !strncmp(text + b, "[hypervisor]", 12);
		} else if (in_hv && le - b > 7 && !strncmp(text + b, "options", 7)) {
			size_t p = b + 7;
			while (p < le && (text[p] == ' ' || text[p] == '\t'))
				p++;
			if (p < le && text[p] == '=') {
				p++;
				while (p < le && (text[p] == ' ' || text[p] == '\t'))
					p++;
				size_t n = MIN(le - p, size ? size - 1 : 0);
				memcpy(out, text + p, n);
				out[n] = 0;
			}
		}
		i = e + 1;
	}
}
