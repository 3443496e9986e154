/* UEFI entry (GNU-EFI application): loads minihv.cfg and the partition images from the directory minihv.efi
 * was started from, fills struct boot_info, leaves boot services and enters the core. */
/* gnu-efi's headers have old-style declarations. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#include <efilib.h>
#pragma GCC diagnostic pop

#include "boot_info.h"
#include "config.h"
#include "core.h"
#include "lib.h"
#include "log.h"
#include "power.h"
#include "vmx.h"
#include "x86.h"

#define AP_TRAMPOLINE_MAX 0x9f000 /* below the EBDA; the SIPI vector must be under 1 MiB */
#define MMAP_SLACK 32             /* descriptors' worth of room for maps that grow between calls */
#define EBS_TRIES 8
#define PATH_MAX_CHARS 256

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID simple_fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

/* Static: after ExitBootServices nothing can be allocated, and the core keeps a pointer to it. */
static struct boot_info boot_info;
static struct config config;
static struct config_error config_err;
static char options[CONFIG_OPTIONS_MAX + BOOT_CMDLINE_MAX + 2];
static CHAR16 dir_path[PATH_MAX_CHARS]; /* the image's directory, with a trailing backslash */

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

/* The directory part of LoadedImage->FilePath: the MEDIA_FILEPATH_DP nodes joined, up to the last '\'. */
static void image_directory(EFI_DEVICE_PATH *dp)
{
	size_t n = 0, last_sep = 0;
	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		/* Nodes are byte-aligned: copy the UCS-2 name byte by byte. */
		const u8 *name = (const u8 *)dp + SIZE_OF_FILEPATH_DEVICE_PATH;
		size_t chars = (DevicePathNodeLength(dp) - SIZE_OF_FILEPATH_DEVICE_PATH) / 2;
		if (n && dir_path[n - 1] != L'\\' && n < PATH_MAX_CHARS - 1)
			dir_path[n++] = L'\\';
		for (size_t i = 0; i < chars && n < PATH_MAX_CHARS - 1; i++) {
			CHAR16 c = (CHAR16)(name[2 * i] | name[2 * i + 1] << 8);
			if (!c)
				break;
			dir_path[n++] = c == L'/' ? L'\\' : c;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (dir_path[i] == L'\\')
			last_sep = i + 1;
	dir_path[last_sep] = 0;
}

/* Opens NAME (ASCII, relative to the image's directory) for reading. */
static EFI_FILE_HANDLE open_in_dir(EFI_FILE_HANDLE root, const char *name)
{
	CHAR16 path[PATH_MAX_CHARS];
	size_t n = 0;
	for (; dir_path[n] && n < PATH_MAX_CHARS - 1; n++)
		path[n] = dir_path[n];
	for (const char *p = name; *p && n < PATH_MAX_CHARS - 1; p++)
		path[n++] = *p == '/' ? L'\\' : (CHAR16)(u8)*p;
	path[n] = 0;
	EFI_FILE_HANDLE f;
	if (EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &f, path, EFI_FILE_MODE_READ, 0)))
		return NULL;
	return f;
}

/* What load_files() read, for its one summary line. */
static u32 files_read;
static u64 bytes_read;

/* Linux's EFI stub reads in 1 MiB pieces because some firmware fails one large Read; under OVMF in Bochs
 * this costs under 10% more than a single Read (docs/linux.md, "Through UEFI"). */
#define READ_CHUNK 0x100000ull

/* Reads a whole file into fresh EfiLoaderData pages (anywhere: the core identity-maps all RAM) and
 * registers it as a module. */
static EFI_STATUS load_module(EFI_FILE_HANDLE root, const char *name, u64 *base_out, u64 *size_out)
{
	EFI_FILE_HANDLE f = open_in_dir(root, name);
	if (!f)
		return EFI_NOT_FOUND;
	UINT64 size = 0;
	/* UEFI 13.5: position 0xFFFFFFFFFFFFFFFF is the end of the file. */
	EFI_STATUS s = uefi_call_wrapper(f->SetPosition, 2, f, 0xffffffffffffffffull);
	if (!EFI_ERROR(s))
		s = uefi_call_wrapper(f->GetPosition, 2, f, &size);
	if (!EFI_ERROR(s))
		s = uefi_call_wrapper(f->SetPosition, 2, f, 0);
	EFI_PHYSICAL_ADDRESS base = 0;
	UINTN pages = EFI_SIZE_TO_PAGES(size ? size : 1);
	if (!EFI_ERROR(s)) {
		s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, pages, &base);
		if (EFI_ERROR(s)) {
			Print(L"minihv: no memory for %s%a (%lu KiB): %r\n", dir_path, name, size >> 10, s);
			uefi_call_wrapper(f->Close, 1, f);
			return s;
		}
	}
	for (UINT64 done = 0; !EFI_ERROR(s) && done < size;) {
		UINTN chunk = size - done < READ_CHUNK ? size - done : READ_CHUNK;
		s = uefi_call_wrapper(f->Read, 3, f, &chunk, (void *)(uintptr_t)(base + done));
		if (!EFI_ERROR(s) && !chunk)
			s = EFI_END_OF_FILE; /* shorter than its size said */
		done += chunk;
	}
	uefi_call_wrapper(f->Close, 1, f);
	if (!EFI_ERROR(s) && !boot_module_add(&boot_info, name, base, size)) {
		Print(L"minihv: more than %d files, %a left out\n", BOOT_MODULES_MAX, name);
		s = EFI_OUT_OF_RESOURCES;
	} else if (EFI_ERROR(s)) {
		Print(L"minihv: cannot read %s%a: %r\n", dir_path, name, s);
	}
	if (EFI_ERROR(s)) {
		if (base) /* a file left out must not keep its pages from the core */
			uefi_call_wrapper(BS->FreePages, 2, base, pages);
		return s;
	}
	files_read++;
	bytes_read += size;
	if (base_out)
		*base_out = base;
	if (size_out)
		*size_out = size;
	return EFI_SUCCESS;
}

static bool module_loaded(const char *name)
{
	const char *base = name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	return boot_module_find(&boot_info, base) != NULL;
}

/* A partition's image or module file. */
static void load_image(EFI_FILE_HANDLE root, const char *name)
{
	/* A missing file is not our error: the core names the partition that lacks it. */
	if (name[0] && !module_loaded(name))
		load_module(root, name, NULL, NULL);
}

static void load_files(EFI_LOADED_IMAGE *li)
{
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_HANDLE root;
	EFI_STATUS s = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &simple_fs_guid, (void **)&fs);
	if (!EFI_ERROR(s))
		s = uefi_call_wrapper(fs->OpenVolume, 2, fs, &root);
	if (EFI_ERROR(s)) {
		Print(L"minihv: no file system on the boot device (%r): no configuration loaded\n", s);
		return;
	}
	image_directory(li->FilePath);
	u64 cfg_base, cfg_size, start = rdtsc();
	if (EFI_ERROR(load_module(root, CONFIG_FILE_NAME, &cfg_base, &cfg_size))) {
		Print(L"minihv: %s%a not found\n", dir_path, CONFIG_FILE_NAME);
	} else {
		const char *text = (const char *)(uintptr_t)cfg_base;
		/* A config with errors is still passed on: the core reports them with their line numbers. */
		if (config_parse(text, cfg_size, &config, &config_err))
			for (u32 i = 0; i < config.partition_count; i++) {
				load_image(root, config.partitions[i].image);
				load_image(root, config.partitions[i].module);
				load_image(root, config.partitions[i].initrd); /* "" for all but Linux partitions */
			}
	}
	/* TSC ticks, not time: the core measures the TSC rate later ("TSC runs at"). */
	Print(L"minihv: %u file%a, %lu KiB read from %s in %lu M TSC ticks\n", files_read, files_read == 1 ? "" : "s",
	      bytes_read >> 10, dir_path, (rdtsc() - start) / 1000000);
	uefi_call_wrapper(root->Close, 1, root);
}

/* Shell arguments arrive as UCS-2 LoadOptions; a boot option's binary OptionalData does not qualify. */
static void load_options_cmdline(EFI_LOADED_IMAGE *li)
{
	char *out = boot_info.cmdline;
	const u8 *in = li->LoadOptions;
	size_t chars = li->LoadOptionsSize / 2, n = 0;
	out[0] = 0;
	if (!in || !chars)
		return;
	for (size_t i = 0; i < chars && n < BOOT_CMDLINE_MAX - 1; i++) {
		u16 c = (u16)(in[2 * i] | in[2 * i + 1] << 8);
		if (!c)
			break;
		if (c == '\t')
			c = ' ';
		if (c < 0x20 || c > 0x7e) {
			out[0] = 0;
			return;
		}
		out[n++] = (char)c;
	}
	out[n] = 0;
	/* The shell passes the command name first ("fs0:\EFI\BOOT\BOOTX64.EFI e9"): drop a first word that is
	 * a path or an .efi file. */
	size_t w = 0;
	while (w < n && out[w] != ' ')
		w++;
	bool path = w >= 4 && (out[w - 4] == '.' && (out[w - 3] | 0x20) == 'e' && (out[w - 2] | 0x20) == 'f' &&
			       (out[w - 1] | 0x20) == 'i');
	for (size_t i = 0; i < w; i++)
		path |= out[i] == '\\' || out[i] == '/' || out[i] == ':';
	if (path) {
		while (w < n && out[w] == ' ')
			w++;
		memmove(out, out + w, n - w + 1);
	}
	/* Leading and trailing blanks only make the options log line uglier. */
	n = strlen(out);
	while (n && out[n - 1] == ' ')
		out[--n] = 0;
}

static u64 find_rsdp(EFI_SYSTEM_TABLE *st)
{
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
		if (!memcmp(&st->ConfigurationTable[i].VendorGuid, &acpi20_guid, sizeof(EFI_GUID)))
			return (u64)(uintptr_t)st->ConfigurationTable[i].VendorTable;
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
		if (!memcmp(&st->ConfigurationTable[i].VendorGuid, &acpi10_guid, sizeof(EFI_GUID)))
			return (u64)(uintptr_t)st->ConfigurationTable[i].VendorTable;
	return 0;
}

/* PI 1.7 vol. 2, 13.4 (not in gnu-efi): only the two calls used here are typed. */
#define EFI_MP_SERVICES_PROTOCOL_GUID \
	{ 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }
#define PROCESSOR_ENABLED_BIT 0x2

typedef struct {
	UINT64 ProcessorId; /* the local APIC id */
	UINT32 StatusFlag;
	UINT32 Package, Core, Thread;
	UINT32 ExtendedInformation[6]; /* PI 1.7: written only on request; room for it anyway */
} EFI_PROCESSOR_INFORMATION;

typedef struct _EFI_MP_SERVICES_PROTOCOL EFI_MP_SERVICES_PROTOCOL;
struct _EFI_MP_SERVICES_PROTOCOL {
	EFI_STATUS(EFIAPI *GetNumberOfProcessors)(EFI_MP_SERVICES_PROTOCOL *This, UINTN *NumberOfProcessors,
						  UINTN *NumberOfEnabledProcessors);
	EFI_STATUS(EFIAPI *GetProcessorInfo)(EFI_MP_SERVICES_PROTOCOL *This, UINTN ProcessorNumber,
					     EFI_PROCESSOR_INFORMATION *ProcessorInfoBuffer);
	void *StartupAllAPs, *StartupThisAP, *SwitchBSP, *EnableDisableAP, *WhoAmI;
};

static EFI_GUID mp_services_guid = EFI_MP_SERVICES_PROTOCOL_GUID;

struct PACKED acpi_rsdp {
	char Signature[8];
	u8 Checksum;
	char OemId[6];
	u8 Revision;
	u32 RsdtAddress, Length;
	u64 XsdtAddress;
	u8 ExtendedChecksum, Reserved[3];
};

struct PACKED acpi_header {
	char Signature[4];
	u32 Length;
	u8 Revision, Checksum;
	char OemId[6], OemTableId[8];
	u32 OemRevision, CreatorId, CreatorRevision;
};

static u8 acpi_checksum(const void *p, size_t len)
{
	u8 sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return (u8)-sum;
}

static void acpi_header_init(struct acpi_header *h, const char *sig, u32 len, u8 rev)
{
	memcpy(h->Signature, sig, 4);
	h->Length = len;
	h->Revision = rev;
	memcpy(h->OemId, "MINIHV", 6);
	memcpy(h->OemTableId, "MINIHV  ", 8);
	h->Checksum = acpi_checksum(h, len);
}

/* OVMF outside QEMU (Bochs: no fw_cfg) publishes no ACPI tables at all, yet the core finds the CPUs in the
 * MADT. Describe the CPUs the firmware's MP services know in an RSDP/XSDT/MADT of our own, in
 * EfiACPIReclaimMemory. There is no FADT: the core then calibrates with the PIT. */
static u64 acpi_from_mp_services(void)
{
	EFI_MP_SERVICES_PROTOCOL *mp;
	UINTN cpus, enabled;
	EFI_STATUS s = uefi_call_wrapper(BS->LocateProtocol, 3, &mp_services_guid, NULL, (void **)&mp);
	if (!EFI_ERROR(s))
		s = uefi_call_wrapper(mp->GetNumberOfProcessors, 3, mp, &cpus, &enabled);
	if (EFI_ERROR(s)) {
		Print(L"minihv: no ACPI tables and no MP services (%r)\n", s);
		return 0;
	}
	enum { XSDT_AT = 64, MADT_AT = 128, MADT_FIXED = 44, X2APIC_ENTRY = 16 };
	size_t size = MADT_AT + MADT_FIXED + cpus * X2APIC_ENTRY;
	EFI_PHYSICAL_ADDRESS pa = 0xffffffff;
	s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiACPIReclaimMemory, EFI_SIZE_TO_PAGES(size),
			      &pa);
	if (EFI_ERROR(s))
		return 0;
	u8 *t = (u8 *)(uintptr_t)pa;
	memset(t, 0, EFI_SIZE_TO_PAGES(size) * EFI_PAGE_SIZE);

	u8 *madt = t + MADT_AT, *e = madt + MADT_FIXED;
	*(u32 *)(madt + 36) = (u32)(rdmsr(MSR_IA32_APIC_BASE) & ~0xfffull); /* Local Interrupt Controller Address */
	*(u32 *)(madt + 40) = 1;                                          /* PCAT_COMPAT: there are 8259s */
	u32 listed = 0;
	for (UINTN i = 0; i < cpus; i++) {
		EFI_PROCESSOR_INFORMATION info;
		if (EFI_ERROR(uefi_call_wrapper(mp->GetProcessorInfo, 3, mp, i, &info)))
			continue;
		u32 flags = (info.StatusFlag & PROCESSOR_ENABLED_BIT) ? 1 : 0;
		if (info.ProcessorId < 0xff) { /* Processor Local APIC */
			e[0] = 0;
			e[1] = 8;
			e[2] = (u8)i; /* ACPI Processor UID */
			e[3] = (u8)info.ProcessorId;
			memcpy(e + 4, &flags, 4);
			e += 8;
		} else { /* Processor Local x2APIC */
			u32 id = (u32)info.ProcessorId, uid = (u32)i;
			e[0] = 9;
			e[1] = 16;
			memcpy(e + 4, &id, 4);
			memcpy(e + 8, &flags, 4);
			memcpy(e + 12, &uid, 4);
			e += 16;
		}
		listed++;
	}
	acpi_header_init((struct acpi_header *)madt, "APIC", (u32)(e - madt), 4);

	struct acpi_header *xsdt = (struct acpi_header *)(t + XSDT_AT);
	u64 madt_pa = pa + MADT_AT;
	memcpy(xsdt + 1, &madt_pa, 8);
	acpi_header_init(xsdt, "XSDT", sizeof(*xsdt) + 8, 1);

	struct acpi_rsdp *r = (struct acpi_rsdp *)t;
	memcpy(r->Signature, "RSD PTR ", 8);
	memcpy(r->OemId, "MINIHV", 6);
	r->Revision = 2;
	r->Length = sizeof(*r);
	r->XsdtAddress = pa + XSDT_AT;
	r->Checksum = acpi_checksum(r, 20);
	r->ExtendedChecksum = acpi_checksum(r, sizeof(*r));
	Print(L"minihv: the firmware has no ACPI tables; a MADT with the %u CPUs of its MP services stands in\n",
	      listed);
	return pa;
}

static u32 boot_apic_id(void)
{
	/* CPUID 0Bh has the full x2APIC id; CPUID 1 only its low 8 bits. */
	if (cpuid(0, 0).eax >= 0xb && cpuid(0xb, 0).ebx)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

/* The same "cannot run" line the core prints, before the firmware is gone, then back to the firmware. */
static EFI_STATUS cannot_run(const char *missing)
{
	const struct boot_module *cfg = boot_module_find(&boot_info, CONFIG_FILE_NAME);
	options[0] = 0;
	if (cfg)
		config_hypervisor_options((const char *)(uintptr_t)cfg->base, cfg->size, options, sizeof(options));
	size_t n = strlen(options);
	snprintf(options + n, sizeof(options) - n, "%s%s", n && boot_info.cmdline[0] ? " " : "", boot_info.cmdline);
	u32 id = boot_apic_id();
	Print(L"minihv: cannot run: CPU 0 (APIC id %u) lacks %a\n", id, missing);
	console_init();
	power_configure(options);
	console_configure(power_emulator_configured() ? "e9" : "");
	console_configure(options);
	pr_err("minihv: cannot run: CPU 0 (APIC id %u) lacks %s", id, missing);
	power_emulator_exit(POWER_CANNOT_RUN);
	return EFI_UNSUPPORTED;
}

static u32 mem_type(UINT32 t)
{
	switch (t) {
	case EfiConventionalMemory:
		return MEM_USABLE;
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return MEM_BOOT; /* our image, stack, modules and boot data */
	case EfiACPIReclaimMemory:
		return MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return MEM_ACPI_NVS;
	case EfiUnusableMemory:
		return MEM_BAD;
	default:
		return MEM_RESERVED;
	}
}

/* Converts the UEFI map; adjacent regions of the same type are merged to stay within BOOT_MMAP_MAX. */
static bool convert_mmap(const u8 *map, UINTN size, UINTN desc_size)
{
	struct boot_info *bi = &boot_info;
	bool complete = true;
	bi->mmap_count = 0;
	for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);
		u64 base = d->PhysicalStart, len = d->NumberOfPages * EFI_PAGE_SIZE;
		u32 type = mem_type(d->Type);
		struct mem_region *last = bi->mmap_count ? &bi->mmap[bi->mmap_count - 1] : NULL;
		if (last && last->type == type && last->base + last->size == base) {
			last->size += len;
			continue;
		}
		/* A region that does not fit is left out: only MEM_USABLE is ever allocated, so that is safe. */
		complete &= boot_mmap_add(bi, base, len, type);
	}
	return complete;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct boot_info *bi = &boot_info;
	InitializeLib(image, st);
	bi->loader = "uefi";

	EFI_LOADED_IMAGE *li;
	EFI_STATUS s = uefi_call_wrapper(BS->HandleProtocol, 3, image, &loaded_image_guid, (void **)&li);
	if (EFI_ERROR(s)) {
		Print(L"minihv: no LoadedImage protocol: %r\n", s);
		return s;
	}
	bi->image_base = (u64)(uintptr_t)li->ImageBase;
	bi->image_end = bi->image_base + li->ImageSize;
	load_options_cmdline(li);
	load_files(li);

	char missing[512];
	if (!vmx_check_this_cpu(missing, sizeof(missing)))
		return cannot_run(missing);

	bi->rsdp = find_rsdp(st);
	if (!bi->rsdp)
		bi->rsdp = acpi_from_mp_services();

	EFI_PHYSICAL_ADDRESS tramp = AP_TRAMPOLINE_MAX;
	s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, 1, &tramp);
	if (EFI_ERROR(s)) {
		Print(L"minihv: no free page below 0x%x for the AP start code: %r\n", AP_TRAMPOLINE_MAX, s);
		return s;
	}
	bi->ap_trampoline = tramp;

	/* One buffer, sized with room to spare: after a failed ExitBootServices only GetMemoryMap may be called. */
	UINTN map_size = 0, map_key, desc_size;
	UINT32 desc_version;
	s = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &map_key, &desc_size, &desc_version);
	if (s != EFI_BUFFER_TOO_SMALL) {
		Print(L"minihv: GetMemoryMap: %r\n", s);
		return EFI_ERROR(s) ? s : EFI_LOAD_ERROR;
	}
	UINTN map_cap = map_size + MMAP_SLACK * desc_size;
	EFI_PHYSICAL_ADDRESS map_pa;
	s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, EFI_SIZE_TO_PAGES(map_cap), &map_pa);
	if (EFI_ERROR(s)) {
		Print(L"minihv: no memory for the memory map: %r\n", s);
		return s;
	}
	u8 *map = (u8 *)(uintptr_t)map_pa;
	map_cap = EFI_SIZE_TO_PAGES(map_cap) * EFI_PAGE_SIZE;

	for (int tries = 0;; tries++) {
		map_size = map_cap;
		s = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (EFI_MEMORY_DESCRIPTOR *)map, &map_key, &desc_size,
				      &desc_version);
		if (EFI_ERROR(s)) {
			/* Only before the first ExitBootServices try is the firmware still fully there to say so. */
			if (!tries)
				Print(L"minihv: GetMemoryMap: %r\n", s);
			return s;
		}
		if (!convert_mmap(map, map_size, desc_size) && !tries)
			Print(L"minihv: memory map has more than %d regions; the rest is left unused\n", BOOT_MMAP_MAX);
		s = uefi_call_wrapper(BS->ExitBootServices, 2, image, map_key);
		if (!EFI_ERROR(s))
			break;
		/* EFI_INVALID_PARAMETER: the map changed under us (an event ran); get it again. */
		if (s != EFI_INVALID_PARAMETER || tries == EBS_TRIES) {
			if (!tries)
				Print(L"minihv: ExitBootServices: %r\n", s);
			return s;
		}
	}

	/* The firmware is gone: no more boot services, no ConOut, interrupts stay off. */
	cli();
	core_main(bi);
}
