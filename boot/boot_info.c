/* Helpers both boot entries use to fill struct boot_info. */
#include "boot_info.h"
#include "lib.h"

bool boot_mmap_add(struct boot_info *bi, u64 base, u64 size, u32 type)
{
	if (!size)
		return true;
	if (bi->mmap_count == BOOT_MMAP_MAX)
		return false;
	u32 i = bi->mmap_count;
	while (i > 0 && bi->mmap[i - 1].base > base) {
		bi->mmap[i] = bi->mmap[i - 1];
		i--;
	}
	bi->mmap[i] = (struct mem_region){ base, size, type };
	bi->mmap_count++;
	return true;
}

bool boot_module_add(struct boot_info *bi, const char *path, u64 base, u64 size)
{
	if (bi->module_count == BOOT_MODULES_MAX)
		return false;
	/* The name is the last path component of the first word: GRUB passes "name args". */
	const char *start = path, *end = path;
	for (const char *p = path; *p && *p != ' '; p++) {
		if (*p == '/' || *p == '\\')
			start = p + 1;
		end = p + 1;
	}
	if (end < start)
		end = start;
	struct boot_module *m = &bi->modules[bi->module_count++];
	size_t n = MIN((size_t)(end - start), sizeof(m->name) - 1);
	memcpy(m->name, start, n);
	m->name[n] = 0;
	m->base = base;
	m->size = size;
	return true;
}

const struct boot_module *boot_module_find(const struct boot_info *bi, const char *name)
{
	for (u32 i = 0; i < bi->module_count; i++)
		if (!strcmp(bi->modules[i].name, name))
			return &bi->modules[i];
	return NULL;
}
