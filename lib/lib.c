/* Freestanding string, memory and formatting helpers. Pure C: host tests link this file. */
#include "lib.h"
#include "x86.h"

#ifndef MINIHV_HOST_TEST
/* REP STOSQ/MOVSQ for the 8-byte words, then REP STOSB/MOVSB for the tail: a byte loop cost the flush
 * path about four instructions per input byte, and Bochs counts every iteration of a REP string
 * instruction, so whole words are 8 times cheaper there (docs/performance.md). Hardware with fast
 * strings (ERMSB) runs either as fast. CLD: an interrupt handler may run while the interrupted code had
 * DF set. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;
	u64 v = 0x0101010101010101ull * (u8)c;
	__asm__ volatile("cld; rep stosq" : "+D"(d), "+c"(words) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(v) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;
	__asm__ volatile("cld; rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(tail) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}

#endif

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}

#ifndef MINIHV_HOST_TEST
struct out {
	char *buf;
	size_t size, pos;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_num(struct out *o, u64 v, unsigned base, bool upper, bool neg, int width, char pad, bool left)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (!left && pad == '0' && neg)
		put(o, '-');
	for (; !left && width > len; width--)
		put(o, pad);
	if (neg && !(pad == '0' && !left))
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
	for (; left && width > len; width--)
		put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		bool left = false, alt = false;
		char pad = ' ';
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '#')
				alt = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int lng = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			for (; !left && width > len; width--)
				put(&o, ' ');
			while (*s)
				put(&o, *s++);
			for (; left && width > len; width--)
				put(&o, ' ');
			break;
		}
		case 'd':
		case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			put_num(&o, v < 0 ? -(u64)v : (u64)v, 10, false, v < 0, width, pad, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			if (alt && *fmt != 'u') {
				put(&o, '0');
				put(&o, 'x');
			}
			put_num(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, width, pad, left);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (u64)(uintptr_t)va_arg(ap, void *), 16, false, false, 16, '0', false);
			break;
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = 0;
	return (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#endif

bool parse_u64(const char *s, size_t len, u64 *out, bool allow_suffix)
{
	unsigned base = 10;
	u64 v = 0;
	size_t i = 0;
	if (len == 0)
		return false;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	size_t digits = 0;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		digits++;
	}
	if (!digits)
		return false;
	if (i < len) {
		unsigned shift;
		if (!allow_suffix || i + 1 != len)
			return false;
		switch (s[i]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return false;
		}
		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
	}
	*out = v;
	return true;
}

bool option_get(const char *opts, const char *key, char *val, size_t val_size)
{
	/* The last occurrence wins, so options appended later (the boot command line) override earlier ones. */
	size_t klen = strlen(key);
	const char *p = opts;
	bool found = false;
	while (p && *p) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		size_t len = p - start;
		if (len >= klen && !strncmp(start, key, klen) && (len == klen || start[klen] == '=')) {
			const char *v = len == klen ? start + len : start + klen + 1;
			size_t vlen = start + len - v;
			if (val_size) {
				size_t n = vlen < val_size - 1 ? vlen : val_size - 1;
				memcpy(val, v, n);
				val[n] = 0;
			}
			found = true;
		}
	}
	return found;
}

const char *x86_exception_name(unsigned vector)
{
	static const char *const names[32] = {
		"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
		"#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
		"#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
		"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check", "#MC machine check",
		"#XM SIMD error", "#VE virtualization exception", "#CP control protection",
	};
	return vector < 32 && names[vector] ? names[vector] : "reserved";
}
