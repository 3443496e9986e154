/* libFuzzer harness: hv/config.c (minihv.cfg). Input: the file's text, as the boot loader hands it over
 * (not NUL-terminated: it is copied into a buffer of exactly its size). */
#include "fuzz.h"
#include "config.h"
#include "core.h"
#include "minihv_abi.h"

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct config cfg;
	static struct config_error err;
	char *text = malloc(size + 1);
	memcpy(text, data, size);

	char options[64];
	config_hypervisor_options(text, size, options, sizeof(options));
	FUZZ_CHECK(terminated(options, sizeof(options)));

	memset(&cfg, 0xa5, sizeof(cfg));
	if (config_parse(text, size, &cfg, &err)) {
		FUZZ_CHECK(cfg.partition_count <= CONFIG_MAX_PARTITIONS);
		FUZZ_CHECK(terminated(cfg.options, sizeof(cfg.options)));
		u32 mgmt = 0;
		for (u32 i = 0; i < cfg.partition_count; i++) {
			const struct partition_config *p = &cfg.partitions[i];
			FUZZ_CHECK(terminated(p->name, sizeof(p->name)) && p->name[0]);
			FUZZ_CHECK(terminated(p->image, sizeof(p->image)) && p->image[0]);
			FUZZ_CHECK(terminated(p->cmdline, sizeof(p->cmdline)));
			FUZZ_CHECK(p->vps >= 1 && p->vps <= MINIHV_MAX_VPS);
			FUZZ_CHECK(p->memory >= CONFIG_MIN_MEMORY && p->memory % MiB(2) == 0 && p->memory <= GiB(4));
			mgmt += p->role == ROLE_MANAGEMENT;
		}
		FUZZ_CHECK(mgmt <= 1);
	} else {
		/* One printable line a user can read. */
		FUZZ_CHECK(terminated(err.message, sizeof(err.message)) && err.message[0]);
		for (const char *c = err.message; *c; c++)
			FUZZ_CHECK(*c >= 0x20 && *c < 0x7f);
	}
	free(text);
	return 0;
}
