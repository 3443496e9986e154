/* Guest virtual addresses seen from the management partition (HvCallTranslateVirtualAddress, docs/api.md):
 * `translate`, `vpeek` and the scenario step `expect-translate`. */
#include "mgmt.h"

static const char *const code_names[] = {
	"Success", "PageNotPresent", "PrivilegeViolation", "InvalidPageTableFlags", "GpaUnmapped",
	"GpaNoReadAccess", "GpaNoWriteAccess", "GpaIllegalOverlayAccess", "Intercept", "GpaUnaccepted",
};
static const char *const cache_names[8] = { "UC", "WC", "type2", "type3", "WT", "WP", "WB", "type7" };

static const struct {
	const char *name;
	u64 flag;
} flag_names[] = {
	{ "r", HV_TRANSLATE_GVA_VALIDATE_READ },           { "w", HV_TRANSLATE_GVA_VALIDATE_WRITE },
	{ "x", HV_TRANSLATE_GVA_VALIDATE_EXECUTE },        { "exempt", HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT },
	{ "setbits", HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS }, { "inhibit", HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT },
};

/* Result-code and cache-type names as values (eval): Success, PageNotPresent, ..., UC, WC, WT, WP, WB. */
bool translate_value(const char *tok, u64 *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(code_names); i++)
		if (!strcmp(tok, code_names[i])) {
			*out = i;
			return true;
		}
	for (size_t i = 0; i < ARRAY_SIZE(cache_names); i++)
		if (!strcmp(tok, cache_names[i])) {
			*out = i;
			return true;
		}
	return false;
}

static const char *code_name(u32 code)
{
	return code < ARRAY_SIZE(code_names) ? code_names[code] : "unknown";
}

/* "r,w,inhibit" (',' or '|' between names) or a number. */
static bool parse_flags(const char *s, u64 *flags)
{
	if (s[0] >= '0' && s[0] <= '9')
		return arg_u64(s, "flags", flags);
	*flags = 0;
	while (*s) {
		size_t n = 0;
		while (s[n] && s[n] != ',' && s[n] != '|')
			n++;
		size_t i = 0;
		while (i < ARRAY_SIZE(flag_names) && (strlen(flag_names[i].name) != n || strncmp(s, flag_names[i].name, n)))
			i++;
		if (i == ARRAY_SIZE(flag_names))
			return fail("bad translate flag in '%s' (r w x exempt setbits inhibit, or a number)", s);
		*flags |= flag_names[i].flag;
		s += n;
		if (*s)
			s++;
	}
	return true;
}

struct translation {
	u32 code;
	u8 cache;
	bool overlay;
	u64 gpa; /* Success: the GPA of the byte; codes 4-7: the page that failed; else 0 */
};

/* One call; on SUCCESS fills *t and sets $code $gpa $cache $overlay. */
static bool translate(u64 pid, u64 vp, u64 gva, u64 flags, u64 reserved, bool ex, struct translation *t, bool quiet)
{
	u64 result, gpa_page;
	if (mg_translate(pid, (u32)vp, gva, flags, (u32)reserved, ex, &result, &gpa_page))
		return fail("HvCallTranslateVirtualAddress%s failed: HV_STATUS_%s (%#x)", ex ? "Ex" : "",
			    hv_status_name(mg_status), mg_status);
	t->code = (u32)(result & HV_TRANSLATE_GVA_RESULT_CODE_MASK);
	t->cache = (u8)(result >> HV_TRANSLATE_GVA_CACHE_TYPE_SHIFT);
	t->overlay = result & HV_TRANSLATE_GVA_OVERLAY_PAGE;
	t->gpa = gpa_page << 12;
	if (t->code == HV_TRANSLATE_GVA_SUCCESS)
		t->gpa |= gva & 0xfff;
	if (!quiet) {
		if (t->code == HV_TRANSLATE_GVA_SUCCESS)
			printf("partition %lu vp %lu GVA %#lx: Success, GPA %#lx, cache %s, overlay %u\n", pid, vp, gva, t->gpa,
			       cache_names[t->cache & 7], t->overlay);
		else
			printf("partition %lu vp %lu GVA %#lx: %s, GPA page %#lx\n", pid, vp, gva, code_name(t->code), t->gpa);
	}
	return var_set("code", t->code) && var_set("gpa", t->gpa) && var_set("cache", t->cache) &&
	       var_set("overlay", t->overlay);
}

/* P V GVA [FLAGS]: the numbers are passed on unchecked, so that minihv's own checks can be tested. */
static bool target_gva(char **argv, u64 *pid, u64 *vp, u64 *gva)
{
	return eval(argv[0], pid) && eval(argv[1], vp) && eval(argv[2], gva);
}

bool cmd_translate(int argc, char **argv)
{
	u64 pid, vp, gva, flags = HV_TRANSLATE_GVA_VALIDATE_READ, reserved = 0;
	const char *s;
	bool ex = false;
	if (!target_gva(argv, &pid, &vp, &gva))
		return false;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "ex"))
			ex = true;
		else if ((s = arg_kv(1, argv + i, "reserved"))) {
			if (!arg_u64(s, "reserved", &reserved))
				return false;
		} else if (!parse_flags(argv[i], &flags)) {
			return false;
		}
	}
	struct translation t;
	return translate(pid, vp, gva, flags, reserved, ex, &t, false);
}

/* expect-translate P V GVA FLAGS CODE [GPA [CACHE [OVERLAY]]] */
bool cmd_expect_translate(int argc, char **argv)
{
	u64 pid, vp, gva, flags, want[4];
	if (!target_gva(argv, &pid, &vp, &gva) || !parse_flags(argv[3], &flags))
		return false;
	int n = argc - 4;
	for (int i = 0; i < n; i++)
		if (!eval(argv[4 + i], &want[i]))
			return false;
	struct translation t;
	if (!translate(pid, vp, gva, flags, 0, false, &t, false))
		return false;
	if (t.code != want[0])
		return fail("GVA %#lx: %s, expected %s", gva, code_name(t.code), code_name((u32)want[0]));
	if (n > 1 && t.gpa != want[1])
		return fail("GVA %#lx: GPA %#lx, expected %#lx", gva, t.gpa, want[1]);
	if (n > 2 && t.cache != want[2])
		return fail("GVA %#lx: cache type %s, expected %s", gva, cache_names[t.cache & 7], cache_names[want[2] & 7]);
	if (n > 3 && t.overlay != want[3])
		return fail("GVA %#lx: overlay %u, expected %lu", gva, t.overlay, want[3]);
	return true;
}

/* vpeek P V GVA [N]: N 64-bit words read through the VP's page tables (VALIDATE_READ | PRIVILEGE_EXEMPT,
 * one translation per page). */
bool cmd_vpeek(int argc, char **argv)
{
	u64 pid, vp, gva, n = 1, w = 0;
	if (!target_gva(argv, &pid, &vp, &gva) || (argc > 3 && !arg_u64(argv[3], "count", &n)))
		return false;
	if (!n || n > 512)
		return fail("count %lu: 1 to 512 words", n);
	if (gva & 7)
		return fail("GVA %#lx: vpeek reads aligned 64-bit words", gva);
	struct translation t = { 0 };
	for (u64 i = 0; i < n; i++) {
		u64 va = gva + i * 8;
		if (i == 0 || !(va & 0xfff)) {
			if (!translate(pid, vp, va, HV_TRANSLATE_GVA_VALIDATE_READ | HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT, 0,
				       false, &t, true))
				return false;
			if (t.code != HV_TRANSLATE_GVA_SUCCESS)
				return fail("GVA %#lx of partition %lu vp %lu: %s", va, pid, vp, code_name(t.code));
		}
		u64 gpa = (t.gpa & ~0xfffull) | (va & 0xfff);
		if (mg_read(pid, gpa, &w, 8))
			return fail("MINIHV_CALL_READ_MEMORY at GPA %#lx failed: HV_STATUS_%s", gpa, hv_status_name(mg_status));
		printf("%#lx (GPA %#lx): %016lx\n", va, gpa, w);
	}
	if (n == 1)
		var_set("value", w);
	return true;
}
