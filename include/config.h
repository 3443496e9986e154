/* minihv.cfg: the boot configuration (docs/config.md). Parsing is pure logic (hv/config.c). */
#ifndef MINIHV_CONFIG_H
#define MINIHV_CONFIG_H

#include "types.h"
#include "minihv_abi.h"

#define CONFIG_MAX_PARTITIONS 16
#define CONFIG_NAME_MAX 32
#define CONFIG_PATH_MAX 64
#define CONFIG_CMDLINE_MAX 256
#define CONFIG_OPTIONS_MAX 512
#define CONFIG_MIN_MEMORY MiB(4)

enum partition_role { ROLE_GUEST, ROLE_MANAGEMENT };
enum image_kind { IMAGE_ELF, IMAGE_LINUX };
/* The devices a partition sees besides COM1 (docs/platform.md). */
enum platform_kind { PLATFORM_MINIMAL, PLATFORM_PC };

/* Hyper-V enlightenments a partition is offered (key 'enlightenments', QEMU's flag names; docs/config.md). */
enum hv_enlightenment {
	HV_ENL_VPINDEX = BIT(0),     /* hv-vpindex: HV_X64_MSR_VP_INDEX (Linux needs it to use Hyper-V at all) */
	HV_ENL_TLBFLUSH = BIT(1),    /* hv-tlbflush: remote TLB flush by HvFlushVirtualAddressSpace/List */
	HV_ENL_TLBFLUSH_EX = BIT(2), /* hv-tlbflush-ex: the Ex forms with sparse VP sets */
	HV_ENL_FREQUENCIES = BIT(3), /* hv-frequencies: TSC/APIC frequency MSRs and the invariant-TSC access */
	HV_ENL_XMM_INPUT = BIT(4),   /* hv-xmm-input: fast hypercalls with XMM input */
};
#define HV_ENL_ALL (HV_ENL_VPINDEX | HV_ENL_TLBFLUSH | HV_ENL_TLBFLUSH_EX | HV_ENL_FREQUENCIES | HV_ENL_XMM_INPUT)
#define HV_ENL_COUNT 5
/* Name of enlightenment bit i (0 .. HV_ENL_COUNT-1), as the config spells it. */
const char *config_enlightenment_name(u32 i);

struct partition_config {
	char name[CONFIG_NAME_MAX];
	enum partition_role role;
	u64 memory;                  /* bytes, a multiple of 2 MiB */
	u32 vps;                     /* 1 .. MINIHV_MAX_VPS */
	enum image_kind image_kind;
	char image[CONFIG_PATH_MAX]; /* file name: a GRUB module name / a file next to minihv.efi */
	char initrd[CONFIG_PATH_MAX]; /* linux: the initial RAM disk file, or "" */
	u32 enlightenments;          /* enum hv_enlightenment bits; HV_ENL_ALL when the key is absent */
	char cmdline[CONFIG_CMDLINE_MAX];
	char module[CONFIG_PATH_MAX]; /* optional file handed to the partition as it is ("" = none) */
	bool x2apic;                 /* apic = x2apic: a guest-visible local APIC (vdev/vlapic.c) */
	bool ap_start_sipi;          /* ap_start = sipi: VPs other than 0 wait for INIT and SIPI */
	enum platform_kind platform; /* default: pc for a Linux image, minimal otherwise */
	bool vp_index_set;           /* vp_index = ...: VP i's Hyper-V VP index is vp_index[i] (else i) */
	u16 vp_index[MINIHV_MAX_VPS];
	u32 vp_index_count;
	u32 line;                    /* line of the [partition NAME] header */
	u32 line_memory, line_image, line_initrd, line_module; /* lines of those keys, for errors found after parsing */
};

struct config {
	char options[CONFIG_OPTIONS_MAX]; /* [hypervisor] options */
	u32 partition_count;
	struct partition_config partitions[CONFIG_MAX_PARTITIONS];
};

struct config_error {
	u32 line;        /* 0 when the error is not about one line */
	char message[200];
};

/* Parses a whole config text. On error fills err and returns false; cfg is then undefined. */
bool config_parse(const char *text, size_t len, struct config *cfg, struct config_error *err);

#endif
