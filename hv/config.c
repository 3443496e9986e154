/* minihv.cfg parsing (format and every error: docs/config.md). Pure logic: host tests link this file. */
#include "config.h"
#include "core.h"
#include "lib.h"
#include "minihv_abi.h"

#define CONFIG_LINE_MAX 1024     /* longer lines are refused rather than cut */
#define CONFIG_MAX_MEMORY GiB(4) /* the initial page tables map at most 4 GiB (minihv_abi.h) */
#define QUOTE_MAX 40             /* longest user text echoed in a message */

void config_hypervisor_options(const char *text, size_t len, char *out, size_t size)
{
	/* Minimal reader for the [hypervisor] options line, tolerant of any other error in the file: the
	 * console is configured from it before config_parse() can report anything. */
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

/* A piece of the config text; not NUL-terminated. */
struct str {
	const char *p;
	size_t n;
};

enum section { SEC_NONE, SEC_HYPERVISOR, SEC_PARTITION };

/* Keys of a [partition NAME] section; the order is the one listed in "unknown key" messages. */
enum part_key { KEY_ROLE, KEY_MEMORY, KEY_VPS, KEY_IMAGE, KEY_CMDLINE, KEY_MODULE, KEY_INITRD, KEY_ENLIGHTENMENTS,
		KEY_APIC, KEY_AP_START, KEY_PLATFORM, KEY_VP_INDEX, PART_KEYS };
static const char *const part_keys[PART_KEYS] = { "role", "memory", "vps", "image", "cmdline", "module", "initrd",
						  "enlightenments", "apic", "ap_start", "platform", "vp_index" };

/* In enum hv_enlightenment bit order. */
static const char *const enl_names[HV_ENL_COUNT] = { "hv-vpindex", "hv-tlbflush", "hv-tlbflush-ex",
						     "hv-frequencies", "hv-xmm-input" };

const char *config_enlightenment_name(u32 i)
{
	return i < HV_ENL_COUNT ? enl_names[i] : "?";
}

struct parser {
	struct config *cfg;
	struct config_error *err;
	u32 line;
	enum section sec;
	struct partition_config *part; /* the section being read when sec == SEC_PARTITION */
	u32 key_line[PART_KEYS];       /* where each key of the current partition was set; 0: not yet */
	u32 hv_line, options_line;     /* [hypervisor] header and its options key */
	const struct partition_config *mgmt;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Index of the first c in s, or s.n (lib.h has no memchr). */
static size_t find(struct str s, char c)
{
	size_t i = 0;
	while (i < s.n && s.p[i] != c)
		i++;
	return i;
}

static struct str trim(struct str s)
{
	while (s.n && is_space(s.p[0]))
		s.p++, s.n--;
	while (s.n && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool str_eq(struct str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && !memcmp(s.p, lit, n);
}

/* Copies s into buf as a C string for a message, shortened with "..." and with control and non-ASCII
 * bytes shown as '?', so that a message stays one printable line on the serial console. */
static const char *quote(char *buf, struct str s)
{
	size_t n = MIN(s.n, (size_t)QUOTE_MAX);
	for (size_t i = 0; i < n; i++)
		buf[i] = s.p[i] >= 0x20 && s.p[i] < 0x7f ? s.p[i] : '?';
	if (n < s.n)
		memcpy(buf + n - 3, "...", 3);
	buf[n] = 0;
	return buf;
}

static bool fail_at(struct parser *ps, u32 line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail_at(struct parser *ps, u32 line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof(ps->err->message), fmt, ap);
	va_end(ap);
	ps->err->line = line;
	return false;
}

#define fail(ps, ...) fail_at(ps, (ps)->line, __VA_ARGS__)

/* A size for a message: the largest unit that divides it exactly (memory = 6M reads "6M", not 6291456). */
static const char *size_str(char *buf, size_t size, u64 v)
{
	if (v && IS_ALIGNED(v, GiB(1)))
		snprintf(buf, size, "%luG", v >> 30);
	else if (v && IS_ALIGNED(v, MiB(1)))
		snprintf(buf, size, "%luM", v >> 20);
	else if (v && IS_ALIGNED(v, KiB(1)))
		snprintf(buf, size, "%luK", v >> 10);
	else
		snprintf(buf, size, "%lu", v);
	return buf;
}

/* Checks of a partition that can only be made once its section is over. */
static bool finish_partition(struct parser *ps)
{
	struct partition_config *p = ps->part;
	if (ps->sec != SEC_PARTITION)
		return true;
	ps->sec = SEC_NONE;
	if (!ps->key_line[KEY_MEMORY])
		return fail_at(ps, p->line, "partition '%s' has no memory (add e.g. 'memory = 64M')", p->name);
	if (!ps->key_line[KEY_VPS])
		return fail_at(ps, p->line, "partition '%s' has no vps (add e.g. 'vps = 1')", p->name);
	if (!ps->key_line[KEY_IMAGE])
		return fail_at(ps, p->line, "partition '%s' has no image (add e.g. 'image = elf %s.elf')", p->name,
			       p->name);
	if (ps->key_line[KEY_INITRD] && p->image_kind != IMAGE_LINUX)
		return fail_at(ps, ps->key_line[KEY_INITRD], "initrd is only for 'image = linux FILE' partitions");
	if (p->image_kind == IMAGE_LINUX && p->role == ROLE_MANAGEMENT)
		return fail_at(ps, ps->key_line[KEY_ROLE], "a linux partition cannot be the management partition");
	/* Linux starts its APs by INIT/SIPI through its x2APIC: a Linux partition always has both. */
	if (p->image_kind == IMAGE_LINUX) {
		if (ps->key_line[KEY_APIC] && !p->x2apic)
			return fail_at(ps, ps->key_line[KEY_APIC], "a linux partition needs apic = x2apic");
		if (ps->key_line[KEY_AP_START] && !p->ap_start_sipi)
			return fail_at(ps, ps->key_line[KEY_AP_START], "a linux partition needs ap_start = sipi");
		p->x2apic = p->ap_start_sipi = true;
	}
	/* INIT/SIPI need the ICR: starting APs by SIPI without a virtual APIC would leave them waiting forever. */
	if (p->ap_start_sipi && !p->x2apic)
		return fail_at(ps, ps->key_line[KEY_AP_START], "ap_start = sipi needs apic = x2apic");
	if (p->vp_index_set && p->vp_index_count != p->vps)
		return fail_at(ps, ps->key_line[KEY_VP_INDEX], "vp_index lists %u VP index%s for %u VP%s (one per VP, in VP "
			       "order)", p->vp_index_count, p->vp_index_count == 1 ? "" : "es", p->vps, p->vps == 1 ? "" : "s");
	/* A Linux kernel needs the PC devices; an ELF guest gets them only when it asks. */
	if (!ps->key_line[KEY_PLATFORM])
		p->platform = p->image_kind == IMAGE_LINUX ? PLATFORM_PC : PLATFORM_MINIMAL;
	return true;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_' || c == '.';
}

static bool start_partition(struct parser *ps, struct str name)
{
	char q[QUOTE_MAX + 1];
	if (!name.n)
		return fail(ps, "partition name missing (expected [partition NAME])");
	if (name.n >= CONFIG_NAME_MAX)
		return fail(ps, "partition name '%s' is too long (at most %d characters)", quote(q, name),
			    CONFIG_NAME_MAX - 1);
	for (size_t i = 0; i < name.n; i++)
		if (!name_char_ok(name.p[i]))
			return fail(ps, "bad partition name '%s' (use letters, digits, '-', '_' and '.')",
				    quote(q, name));
	struct config *cfg = ps->cfg;
	for (u32 i = 0; i < cfg->partition_count; i++)
		if (str_eq(name, cfg->partitions[i].name))
			return fail(ps, "duplicate partition name '%s' (first on line %u)", cfg->partitions[i].name,
				    cfg->partitions[i].line);
	if (cfg->partition_count == CONFIG_MAX_PARTITIONS)
		return fail(ps, "too many partitions (at most %d)", CONFIG_MAX_PARTITIONS);
	struct partition_config *p = &cfg->partitions[cfg->partition_count++];
	memcpy(p->name, name.p, name.n);
	p->name[name.n] = 0;
	p->role = ROLE_GUEST;
	p->image_kind = IMAGE_ELF;
	p->enlightenments = HV_ENL_ALL;
	p->line = ps->line;
	ps->part = p;
	ps->sec = SEC_PARTITION;
	memset(ps->key_line, 0, sizeof(ps->key_line));
	return true;
}

static bool section_header(struct parser *ps, struct str s)
{
	char q[QUOTE_MAX + 1];
	if (!finish_partition(ps))
		return false;
	if (s.p[s.n - 1] != ']')
		return fail(ps, "bad section header '%s' (expected [hypervisor] or [partition NAME])", quote(q, s));
	struct str in = trim((struct str){ s.p + 1, s.n - 2 });
	if (str_eq(in, "hypervisor")) {
		if (ps->hv_line)
			return fail(ps, "duplicate section [hypervisor] (first on line %u)", ps->hv_line);
		ps->hv_line = ps->line;
		ps->sec = SEC_HYPERVISOR;
		return true;
	}
	if (in.n >= 9 && !memcmp(in.p, "partition", 9) && (in.n == 9 || is_space(in.p[9])))
		return start_partition(ps, trim((struct str){ in.p + 9, in.n - 9 }));
	return fail(ps, "unknown section [%s] (expected [hypervisor] or [partition NAME])", quote(q, in));
}

static bool copy_value(struct parser *ps, char *dst, size_t size, struct str v, const char *key)
{
	if (v.n >= size)
		return fail(ps, "%s is too long (at most %lu characters)", key, (u64)size - 1);
	memcpy(dst, v.p, v.n);
	dst[v.n] = 0;
	return true;
}

static bool set_memory(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1], a[24], b[24];
	u64 m;
	if (!parse_u64(v.p, v.n, &m, true))
		return fail(ps, "bad size '%s' for memory (a number with an optional K, M or G suffix, e.g. 64M)",
			    quote(q, v));
	if (!IS_ALIGNED(m, MiB(2)))
		return fail(ps, "memory %s is not a multiple of 2M", size_str(a, sizeof(a), m));
	if (m < CONFIG_MIN_MEMORY)
		return fail(ps, "memory %s is below the minimum of %s", size_str(a, sizeof(a), m),
			    size_str(b, sizeof(b), CONFIG_MIN_MEMORY));
	if (m > CONFIG_MAX_MEMORY)
		return fail(ps, "memory %s is above the maximum of %s", size_str(a, sizeof(a), m),
			    size_str(b, sizeof(b), CONFIG_MAX_MEMORY));
	ps->part->memory = m;
	ps->part->line_memory = ps->line;
	return true;
}

static bool set_vps(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	u64 n;
	if (!parse_u64(v.p, v.n, &n, false))
		return fail(ps, "bad number '%s' for vps", quote(q, v));
	if (n == 0)
		return fail(ps, "vps must be at least 1");
	if (n > MINIHV_MAX_VPS)
		return fail(ps, "vps %lu is more than the maximum of %d", n, MINIHV_MAX_VPS);
	ps->part->vps = (u32)n;
	return true;
}

static bool set_role(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	if (str_eq(v, "guest")) {
		ps->part->role = ROLE_GUEST;
		return true;
	}
	if (!str_eq(v, "management"))
		return fail(ps, "bad role '%s' (expected management or guest)", quote(q, v));
	if (ps->mgmt)
		return fail(ps, "a second management partition (partition '%s' on line %u is already management)",
			    ps->mgmt->name, ps->mgmt->line);
	ps->part->role = ROLE_MANAGEMENT;
	ps->mgmt = ps->part;
	return true;
}

static bool set_image(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	size_t k = 0;
	while (k < v.n && !is_space(v.p[k]))
		k++;
	struct str kind = { v.p, k };
	struct str file = trim((struct str){ v.p + k, v.n - k });
	if (!kind.n)
		return fail(ps, "image needs a kind and a file name (e.g. 'image = elf guest.elf')");
	bool linux = str_eq(kind, "linux");
	if (!linux && !str_eq(kind, "elf"))
		return fail(ps, "bad image kind '%s' (expected elf or linux)", quote(q, kind));
	if (!file.n)
		return fail(ps, "image file name missing (expected 'image = %s FILE')", linux ? "linux" : "elf");
	for (size_t i = 0; i < file.n; i++)
		if (is_space(file.p[i]))
			return fail(ps, "unexpected text after the image file name: '%s'", quote(q, file));
	ps->part->image_kind = linux ? IMAGE_LINUX : IMAGE_ELF;
	ps->part->line_image = ps->line;
	return copy_value(ps, ps->part->image, sizeof(ps->part->image), file, "image file name");
}

static bool set_initrd(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	if (!v.n)
		return fail(ps, "initrd file name missing (expected 'initrd = FILE')");
	for (size_t i = 0; i < v.n; i++)
		if (is_space(v.p[i]))
			return fail(ps, "unexpected text after the initrd file name: '%s'", quote(q, v));
	ps->part->line_initrd = ps->line;
	return copy_value(ps, ps->part->initrd, sizeof(ps->part->initrd), v, "initrd file name");
}

/* A list of QEMU Hyper-V flag names separated by blanks; an empty value offers none. */
static bool set_enlightenments(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	u32 set = 0;
	while (v.n) {
		size_t k = 0;
		while (k < v.n && !is_space(v.p[k]))
			k++;
		struct str w = { v.p, k };
		u32 i = 0;
		while (i < HV_ENL_COUNT && !str_eq(w, enl_names[i]))
			i++;
		if (i == HV_ENL_COUNT)
			return fail(ps, "unknown enlightenment '%s' (known: hv-vpindex hv-tlbflush hv-tlbflush-ex "
				    "hv-frequencies hv-xmm-input)", quote(q, w));
		set |= BIT(i);
		v = trim((struct str){ v.p + k, v.n - k });
	}
	if ((set & (HV_ENL_TLBFLUSH | HV_ENL_TLBFLUSH_EX)) && !(set & HV_ENL_VPINDEX))
		return fail(ps, "hv-tlbflush needs hv-vpindex (a guest names flush targets by VP index)");
	if ((set & HV_ENL_TLBFLUSH_EX) && !(set & HV_ENL_TLBFLUSH))
		return fail(ps, "hv-tlbflush-ex needs hv-tlbflush");
	ps->part->enlightenments = set;
	return true;
}

/* module = FILE: one word, like the image's file name. */
static bool set_module(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	if (!v.n)
		return fail(ps, "module file name missing (expected 'module = FILE')");
	for (size_t i = 0; i < v.n; i++)
		if (is_space(v.p[i]))
			return fail(ps, "unexpected text after the module file name: '%s'", quote(q, v));
	ps->part->line_module = ps->line;
	return copy_value(ps, ps->part->module, sizeof(ps->part->module), v, "module file name");
}

/* apic = none | x2apic; ap_start = entry | sipi (docs/config.md). */
static bool set_choice(struct parser *ps, struct str v, const char *key, const char *off, const char *on, bool *out)
{
	char q[QUOTE_MAX + 1];
	if (str_eq(v, off) || str_eq(v, on)) {
		*out = str_eq(v, on);
		return true;
	}
	return fail(ps, "bad %s '%s' (expected %s or %s)", key, quote(q, v), off, on);
}

static bool set_platform(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	if (str_eq(v, "pc"))
		ps->part->platform = PLATFORM_PC;
	else if (str_eq(v, "minimal"))
		ps->part->platform = PLATFORM_MINIMAL;
	else
		return fail(ps, "bad platform '%s' (expected pc or minimal)", quote(q, v));
	return true;
}

/* vp_index = N N ...: each VP's Hyper-V VP index, in VP order (what a KVM VMM sets by writing
 * HV_X64_MSR_VP_INDEX from the host). The count is checked against vps when the section ends. */
static bool set_vp_index(struct parser *ps, struct str v)
{
	char q[QUOTE_MAX + 1];
	struct partition_config *p = ps->part;
	u32 n = 0;
	while (v.n) {
		size_t k = 0;
		while (k < v.n && !is_space(v.p[k]))
			k++;
		struct str w = { v.p, k };
		u64 x;
		if (!parse_u64(w.p, w.n, &x, false))
			return fail(ps, "bad number '%s' in vp_index", quote(q, w));
		/* A VP index is below CPUID 0x40000005 EAX, the maximum VP count minihv reports. */
		if (x >= MINIHV_MAX_VPS)
			return fail(ps, "vp_index %lu is not below the maximum of %d", x, MINIHV_MAX_VPS);
		if (n == MINIHV_MAX_VPS)
			return fail(ps, "vp_index lists more than %d VP indexes", MINIHV_MAX_VPS);
		for (u32 i = 0; i < n; i++)
			if (p->vp_index[i] == x)
				return fail(ps, "vp_index %lu is given twice (VPs %u and %u): each VP needs its own", x, i, n);
		p->vp_index[n++] = (u16)x;
		v = trim((struct str){ v.p + k, v.n - k });
	}
	if (!n)
		return fail(ps, "vp_index needs one VP index per VP (e.g. 'vp_index = 0 64')");
	p->vp_index_set = true;
	p->vp_index_count = n;
	return true;
}

static bool key_value(struct parser *ps, struct str s)
{
	char q[QUOTE_MAX + 1];
	size_t eq = find(s, '=');
	if (eq == s.n)
		return fail(ps, "expected 'key = value', a [section] or a # comment, not '%s'", quote(q, s));
	struct str key = trim((struct str){ s.p, eq });
	struct str val = trim((struct str){ s.p + eq + 1, s.n - eq - 1 });
	if (!key.n)
		return fail(ps, "missing key before '='");
	if (ps->sec == SEC_NONE)
		return fail(ps, "key '%s' outside a section (put it under [hypervisor] or [partition NAME])",
			    quote(q, key));
	if (ps->sec == SEC_HYPERVISOR) {
		if (!str_eq(key, "options"))
			return fail(ps, "unknown key '%s' (expected options)", quote(q, key));
		if (ps->options_line)
			return fail(ps, "duplicate key 'options' (first set on line %u)", ps->options_line);
		ps->options_line = ps->line;
		return copy_value(ps, ps->cfg->options, sizeof(ps->cfg->options), val, "options");
	}
	enum part_key k = 0;
	while (k < PART_KEYS && !str_eq(key, part_keys[k]))
		k++;
	if (k == PART_KEYS)
		return fail(ps, "unknown key '%s' (expected role, memory, vps, image, cmdline, module, initrd, "
			    "enlightenments, apic, ap_start, platform, vp_index)", quote(q, key));
	if (ps->key_line[k])
		return fail(ps, "duplicate key '%s' (first set on line %u)", part_keys[k], ps->key_line[k]);
	ps->key_line[k] = ps->line;
	switch (k) {
	case KEY_ROLE:
		return set_role(ps, val);
	case KEY_MEMORY:
		return set_memory(ps, val);
	case KEY_VPS:
		return set_vps(ps, val);
	case KEY_IMAGE:
		return set_image(ps, val);
	case KEY_CMDLINE:
		return copy_value(ps, ps->part->cmdline, sizeof(ps->part->cmdline), val, "cmdline");
	case KEY_INITRD:
		return set_initrd(ps, val);
	case KEY_ENLIGHTENMENTS:
		return set_enlightenments(ps, val);
	case KEY_MODULE:
		return set_module(ps, val);
	case KEY_APIC:
		return set_choice(ps, val, "apic", "none", "x2apic", &ps->part->x2apic);
	case KEY_AP_START:
		return set_choice(ps, val, "ap_start", "entry", "sipi", &ps->part->ap_start_sipi);
	case KEY_PLATFORM:
		return set_platform(ps, val);
	case KEY_VP_INDEX:
		return set_vp_index(ps, val);
	default:
		return false;
	}
}

bool config_parse(const char *text, size_t len, struct config *cfg, struct config_error *err)
{
	struct parser ps = { .cfg = cfg, .err = err };
	memset(cfg, 0, sizeof(*cfg));
	err->line = 0;
	err->message[0] = 0;
	size_t start = 0;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		start = 3; /* a UTF-8 byte-order mark, as some Windows editors write */
	for (size_t i = start; i < len;) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		ps.line++;
		if (e - i > CONFIG_LINE_MAX)
			return fail(&ps, "line is longer than %d characters", CONFIG_LINE_MAX);
		if (find((struct str){ text + i, e - i }, 0) != e - i)
			return fail(&ps, "NUL byte in the line (not a text file?)");
		struct str s = trim((struct str){ text + i, e - i });
		i = e + 1;
		if (!s.n || s.p[0] == '#')
			continue;
		if (!(s.p[0] == '[' ? section_header(&ps, s) : key_value(&ps, s)))
			return false;
	}
	return finish_partition(&ps);
}
