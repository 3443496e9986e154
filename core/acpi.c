/* ACPI table walk: RSDP → XSDT/RSDT → MADT (CPUs) and FADT (PM1 control, PM timer) → DSDT (\_S5). */
#include "acpi.h"
#include "lib.h"
#include "log.h"

struct acpi_info acpi;

struct PACKED rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 ext_checksum;
	u8 reserved[3];
};

struct PACKED sdt_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
};

struct PACKED madt {
	struct sdt_header h;
	u32 lapic_addr;
	u32 flags;
	u8 entries[];
};

struct PACKED gas {
	u8 space_id, bit_width, bit_offset, access_size;
	u64 address;
};

/* ACPI 6.x Table 5.9, only the fields we read. */
struct PACKED fadt {
	struct sdt_header h;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	u32 gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 fadt_minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk, x_pm2_cnt_blk, x_pm_tmr_blk;
};

#define FADT_TMR_VAL_EXT BIT(8)

static bool checksum_ok(const void *p, u32 len)
{
	u8 sum = 0;
	for (u32 i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

static const struct sdt_header *table_at(u64 pa)
{
	const struct sdt_header *h = (const void *)(uintptr_t)pa;
	if (!pa || h->length < sizeof(*h) || !checksum_ok(h, h->length))
		return NULL;
	return h;
}

static void parse_madt(const struct madt *m)
{
	acpi.lapic_base = m->lapic_addr;
	for (u32 irq = 0; irq < 16; irq++)
		acpi.isa_gsi[irq] = irq; /* ACPI: an ISA IRQ without an override is the GSI of that number */
	const u8 *p = m->entries, *end = (const u8 *)m + m->h.length;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		u32 id = ~0u, flags = 0;
		if (p[0] == 0 && p[1] >= 8) { /* Processor Local APIC */
			id = p[3];
			flags = *(const u32 *)(p + 4);
		} else if (p[0] == 9 && p[1] >= 16) { /* Processor Local x2APIC */
			id = *(const u32 *)(p + 4);
			flags = *(const u32 *)(p + 8);
		} else if (p[0] == 5 && p[1] >= 12) { /* Local APIC Address Override */
			acpi.lapic_base = *(const u64 *)(p + 4);
		} else if (p[0] == 1 && p[1] >= 12 && acpi.ioapic_count < ARRAY_SIZE(acpi.ioapics)) { /* I/O APIC */
			acpi.ioapics[acpi.ioapic_count].addr = *(const u32 *)(p + 4);
			acpi.ioapics[acpi.ioapic_count++].gsi_base = *(const u32 *)(p + 8);
		} else if (p[0] == 2 && p[1] >= 10 && p[2] == 0 && p[3] < 16) { /* ISA Interrupt Source Override */
			acpi.isa_gsi[p[3]] = *(const u32 *)(p + 4);
			acpi.isa_flags[p[3]] = *(const u16 *)(p + 8);
		}
		/* bit 0: enabled; bit 1: online capable (may be started later). Only enabled CPUs are used. */
		if (id != ~0u && (flags & 1) && acpi.cpu_count < ARRAY_SIZE(acpi.apic_ids)) {
			bool dup = false;
			for (u32 i = 0; i < acpi.cpu_count; i++)
				dup |= acpi.apic_ids[i] == id;
			if (!dup)
				acpi.apic_ids[acpi.cpu_count++] = id;
		}
		p += p[1];
	}
}

/* \_S5 is "Name(_S5_, Package(){SLP_TYPa, SLP_TYPb, ...})" in AML. We look for the name and decode the
 * first two package elements (BytePrefix 0x0A or the constants Zero/One). */
static void parse_s5(const struct sdt_header *dsdt)
{
	const u8 *p = (const u8 *)(dsdt + 1), *end = (const u8 *)dsdt + dsdt->length;
	for (; p + 8 < end; p++) {
		if (memcmp(p, "_S5_", 4) || p[4] != 0x12 /* PackageOp */)
			continue;
		const u8 *q = p + 5;
		u8 pkg_len_bytes = (*q >> 6) + 1;
		q += pkg_len_bytes + 1; /* PkgLength, NumElements */
		u16 vals[2];
		for (int i = 0; i < 2; i++) {
			if (q >= end)
				return;
			if (*q == 0x0a) { /* BytePrefix */
				vals[i] = q[1];
				q += 2;
			} else if (*q == 0x00 || *q == 0x01) { /* ZeroOp / OneOp */
				vals[i] = *q;
				q += 1;
			} else {
				return;
			}
		}
		acpi.slp_typa = vals[0];
		acpi.slp_typb = vals[1];
		acpi.s5_valid = true;
		return;
	}
}

static void parse_fadt(const struct fadt *f)
{
	acpi.pm1a_cnt = f->pm1a_cnt_blk;
	acpi.pm1b_cnt = f->pm1b_cnt_blk;
	acpi.pm_timer_port = f->pm_tmr_blk;
	acpi.pm_timer_32bit = f->flags & FADT_TMR_VAL_EXT;
	if (f->h.length >= offsetof(struct fadt, x_pm1a_cnt_blk) + sizeof(struct gas) && !acpi.pm1a_cnt &&
	    f->x_pm1a_cnt_blk.space_id == 1)
		acpi.pm1a_cnt = (u32)f->x_pm1a_cnt_blk.address;
	u64 dsdt = f->dsdt;
	if (f->h.length >= offsetof(struct fadt, x_dsdt) + 8 && f->x_dsdt)
		dsdt = f->x_dsdt;
	const struct sdt_header *d = table_at(dsdt);
	if (d)
		parse_s5(d);
}

bool acpi_init(u64 rsdp_pa)
{
	const struct rsdp *r = (const void *)(uintptr_t)rsdp_pa;
	if (!rsdp_pa || memcmp(r->signature, "RSD PTR ", 8) || !checksum_ok(r, 20)) {
		pr_err("no ACPI RSDP found");
		return false;
	}
	const struct sdt_header *root = NULL;
	bool x = false;
	if (r->revision >= 2 && r->xsdt) {
		root = table_at(r->xsdt);
		x = root != NULL;
	}
	if (!root)
		root = table_at(r->rsdt);
	if (!root) {
		pr_err("ACPI root table (XSDT/RSDT) is invalid");
		return false;
	}
	u32 n = (root->length - sizeof(*root)) / (x ? 8 : 4);
	const u8 *ptrs = (const u8 *)(root + 1);
	bool have_madt = false;
	for (u32 i = 0; i < n; i++) {
		u64 pa = x ? *(const u64 *)(ptrs + 8 * i) : *(const u32 *)(ptrs + 4 * i);
		const struct sdt_header *h = table_at(pa);
		if (!h)
			continue;
		if (!memcmp(h->signature, "APIC", 4)) {
			parse_madt((const struct madt *)h);
			have_madt = true;
		} else if (!memcmp(h->signature, "FACP", 4)) {
			parse_fadt((const struct fadt *)h);
		}
	}
	if (!have_madt || !acpi.cpu_count) {
		pr_err("ACPI has no MADT with an enabled CPU");
		return false;
	}
	return true;
}
