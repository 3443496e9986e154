# minihv: one Makefile. `make` builds both images and the guests; `make test` runs everything.
# The core is compiled twice: build/mb (static, linked at 1 MiB for multiboot) and build/efi (PIC, for
# the GNU-EFI application). Pure-logic files are also built for the host and linked into unit tests.

CC := gcc
LD := ld
NASM := nasm
OBJCOPY := objcopy
HOSTCC := gcc

B := build
# One spelling per build directory: the compiler's dependency files (-MMD) name each object as it was
# given, so an object built with B=build and then asked for as B=/abs/path/build (tests/run does) would
# miss its header dependencies and be linked stale. Inside the tree, B is always relative.
override B := $(patsubst $(CURDIR)/%,%,$(abspath $(B)))
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
# Include paths say who may use what: include/ is shared by the hypervisor's folders, include/abi/ is the
# guest-visible ABI, lib/ the freestanding helpers that the hypervisor, the guests and the host tests share.
# A header private to one folder lives in that folder and is found next to the file that includes it;
# vdev/ is on the path as well, since vmx/ and hv/ call the emulated devices.
HV_INC := -Iinclude -Iinclude/abi -Ilib -Ivdev
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -mno-red-zone -mgeneral-regs-only \
	$(HV_INC) $(WARN) -MMD -MP
MB_CFLAGS := $(BASE_CFLAGS) -fno-pic -fno-pie -mcmodel=small
EFI_INC := -I/usr/include/efi -I/usr/include/efi/x86_64
EFI_CFLAGS := $(BASE_CFLAGS) -fpic -fvisibility=hidden -fshort-wchar -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI
NASMFLAGS := -f elf64 -g -I$(B)/gen/

# Sources of the core, shared by both images.
CORE_C := $(filter-out vmx/asm_offsets.c,$(wildcard lib/*.c core/*.c mm/*.c vmx/*.c hv/*.c vdev/*.c)) boot/boot_info.c \
	boot/smp.c
CORE_ASM := core/isr.asm boot/ap_trampoline.asm $(wildcard vmx/*.asm)
MB_C := boot/multiboot.c
MB_ASM := boot/mb_entry.asm
EFI_C := boot/uefi.c

MB_OBJS := $(patsubst %.c,$(B)/mb/%.o,$(CORE_C) $(MB_C)) $(patsubst %.asm,$(B)/asm/%.o,$(CORE_ASM) $(MB_ASM))
EFI_OBJS := $(patsubst %.c,$(B)/efi/%.o,$(CORE_C) $(EFI_C)) $(patsubst %.asm,$(B)/asm/%.o,$(CORE_ASM))

LIBGCC := $(shell $(CC) -print-libgcc-file-name)
GNUEFI_LDS := /usr/lib/elf_x86_64_efi.lds
GNUEFI_CRT0 := /usr/lib/crt0-efi-x86_64.o

.PHONY: all images guests iso esp test unit fuzz fuzz-build fuzz-short fuzz-regress model scenarios run run-linux bench clean
all: images guests

images: $(B)/minihv.elf $(B)/minihv.efi

$(B)/mb/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(MB_CFLAGS) -c $< -o $@

$(B)/efi/boot/uefi.o: boot/uefi.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(EFI_CFLAGS) $(EFI_INC) -c $< -o $@

$(B)/efi/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(B)/asm/%.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $@"
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

# vmx/entry.asm's offsets into C structures come from offsetof (vmx/asm_offsets.c), never a hand-kept list.
$(B)/gen/asm_offsets.inc: vmx/asm_offsets.c $(wildcard include/*.h include/abi/*.h lib/*.h vdev/*.h)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(filter-out -MMD -MP -g,$(MB_CFLAGS)) -S $< -o - | \
		sed -n 's/^.*"->\([A-Za-z0-9_]*\) \([0-9]*\)".*$$/%define \1 \2/p' > $@.tmp && mv $@.tmp $@
$(B)/asm/vmx/entry.o: $(B)/gen/asm_offsets.inc

$(B)/minihv.elf: $(MB_OBJS) linker.ld
	$(LD) -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T linker.ld -o $@ $(MB_OBJS) $(LIBGCC)
	@grub-file --is-x86-multiboot2 $@ || { echo "$@: not a multiboot2 image"; exit 1; }
	@grub-file --is-x86-multiboot $@ || { echo "$@: not a multiboot1 image"; exit 1; }

# libefi's init.o (InitializeLib) also defines memset/memcpy: weakened, lib/lib.c's win.
$(B)/libefi.a: /usr/lib/libefi.a
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --weaken-symbol=memset --weaken-symbol=memcpy $< $@

# -z defs: nothing resolves symbols at load time; gnu-efi only applies R_X86_64_RELATIVE.
$(B)/minihv.so: $(EFI_OBJS) $(B)/libefi.a
	$(LD) -nostdlib -shared -Bsymbolic -z nocombreloc -z noexecstack -z defs -T $(GNUEFI_LDS) $(GNUEFI_CRT0) $(EFI_OBJS) \
		$(B)/libefi.a -L/usr/lib -lgnuefi -o $@

$(B)/minihv.efi: $(B)/minihv.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

include guests/guests.mk

# Boot media for the default configuration (tests build their own under build/scenarios/).
iso: $(B)/minihv.iso
esp: $(B)/esp.img
$(B)/minihv.iso: $(B)/minihv.elf guests minihv.cfg tools/minihv_emu.py
	tools/minihv_emu.py iso $@ minihv.cfg "" $(B)/minihv.elf $(GUEST_ELFS)
$(B)/esp.img: $(B)/minihv.efi guests minihv.cfg tools/minihv_emu.py
	tools/minihv_emu.py esp $@ minihv.cfg $(B)/minihv.efi $(GUEST_ELFS)

# Host unit tests (cmocka) over the pure-logic files.
PURE_C := lib/lib.c mm/ranges.c vmx/caps.c hv/config.c hv/elf_load.c hv/hypercall_decode.c hv/vp_set.c hv/vp_index.c \
	hv/flush_input.c hv/gva_walk.c mm/ept.c hv/bzimage.c hv/guest_acpi.c vdev/vlapic_regs.c vmx/cr_rules.c \
	vdev/i8259.c vmx/io_decode.c vdev/console_switch.c
HOST_CFLAGS := -std=c11 -O1 -g $(HV_INC) -I. -Wall -Wextra -Werror -Wno-unused-parameter -DMINIHV_HOST_TEST \
	-fsanitize=address,undefined -fno-omit-frame-pointer
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRCS))

# A test may link more files that are pure apart from what the test stubs: UNIT_EXTRA_<test>.
UNIT_EXTRA_test_inhibit := hv/inhibit.c hv/wait.c hv/flush.c
UNIT_EXTRA_test_tlb_model := hv/flush.c hv/inhibit.c hv/wait.c
UNIT_EXTRA_test_wait := hv/wait.c

$(B)/unit/%: tests/unit/%.c $(PURE_C) $(wildcard include/*.h include/abi/*.h lib/*.h */*.h tests/*.h tests/unit/*.h hv/*.c vdev/*.c)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $< $(PURE_C) $(UNIT_EXTRA_$*) -lcmocka -lpthread -o $@

# Negative controls that need a bug in the code itself: test_inhibit linked against a copy of
# hv/inhibit.c with one seeded bug (tests/unit/mutate), built with -DMUTANT_<NAME>; such a build runs
# only the race, and passes only when the race sees the bug.
INHIBIT_MUTANTS := norelease noepochwait
MUTANT_BINS := $(patsubst %,$(B)/unit/test_inhibit_mutant_%,$(INHIBIT_MUTANTS))
$(B)/unit/mut/inhibit_%.c: hv/inhibit.c tests/unit/mutate
	@mkdir -p $(dir $@)
	$(Q)tests/unit/mutate $* $< > $@
$(B)/unit/test_inhibit_mutant_%: tests/unit/test_inhibit.c $(B)/unit/mut/inhibit_%.c $(PURE_C) \
		$(wildcard include/*.h include/abi/*.h lib/*.h */*.h tests/*.h tests/unit/*.h hv/*.c)
	$(HOSTCC) $(HOST_CFLAGS) -Ihv -Wno-unused-function -DMUTANT_$(shell echo $* | tr a-z A-Z) $< $(PURE_C) \
		$(B)/unit/mut/inhibit_$*.c hv/wait.c hv/flush.c -lcmocka -lpthread -o $@

# The same for test_tlb_model against hv/flush.c: with MUTANT_NOSELFFLUSH the caller's own flush is left
# out, and the build passes only when the local-flush check and the model both see it.
FLUSH_MUTANTS := noselfflush
FLUSH_MUTANT_BINS := $(patsubst %,$(B)/unit/test_tlb_model_mutant_%,$(FLUSH_MUTANTS))
$(B)/unit/mut/flush_%.c: hv/flush.c tests/unit/mutate
	@mkdir -p $(dir $@)
	$(Q)tests/unit/mutate $* $< > $@
$(B)/unit/test_tlb_model_mutant_%: tests/unit/test_tlb_model.c $(B)/unit/mut/flush_%.c $(PURE_C) \
		$(wildcard include/*.h include/abi/*.h lib/*.h */*.h tests/*.h tests/unit/*.h hv/*.c)
	$(HOSTCC) $(HOST_CFLAGS) -Ihv -Wno-unused-function -DMUTANT_$(shell echo $* | tr a-z A-Z) $< $(PURE_C) \
		$(B)/unit/mut/flush_$*.c hv/inhibit.c hv/wait.c -lcmocka -lpthread -o $@

unit: $(UNIT_BINS) $(MUTANT_BINS) $(FLUSH_MUTANT_BINS)
	@tests/run-unit $(UNIT_BINS) $(MUTANT_BINS) $(FLUSH_MUTANT_BINS)
	@python3 tests/unit/test_scenario.py
	@B=$(B) tests/linux/test-tlbstorm

# libFuzzer harnesses (clang) over the parsers of untrusted input: tests/fuzz/fuzz_NAME.c, seeds in
# tests/fuzz/seeds/NAME/, kept inputs (every crash ever found, and the cases worth keeping) in
# tests/fuzz/regress/NAME/. `make fuzz` runs each target FUZZ_SECONDS; `make test` runs FUZZ_SHORT_SECONDS
# each and every kept input once. Corpora grow under build/fuzz/corpus/NAME/.
FUZZ_TARGETS := hypercall_decode vp_set flush_input config elf_load gva_walk vlapic cr_rules
# Parsers of branch linux-boot (hv/bzimage.c, hv/guest_acpi.c): their harnesses are here already and
# join FUZZ_TARGETS by themselves once the parser is in the tree (then move the name up).
FUZZ_PENDING := bzimage guest_acpi
FUZZ_TARGETS += $(foreach t,$(FUZZ_PENDING),$(if $(wildcard hv/$(t).c),$(t)))
FUZZ_SECONDS ?= 60
FUZZ_SHORT_SECONDS ?= 10
FUZZCC := clang
FUZZ_CFLAGS := $(filter -std=% -I% -D% -W%,$(HOST_CFLAGS)) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS := $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_TARGETS))

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(PURE_C) $(wildcard include/*.h include/abi/*.h lib/*.h */*.h)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZCC) $(FUZZ_CFLAGS) $< $(PURE_C) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build $(if $(filter elf_load,$(FUZZ_TARGETS)),guests)
	@tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-short: fuzz-build $(if $(filter elf_load,$(FUZZ_TARGETS)),guests)
	@tests/fuzz/run $(FUZZ_SHORT_SECONDS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	@tests/fuzz/run 0 $(FUZZ_TARGETS)

scenarios: all
	tests/run

# The spin model of the inhibit protocol (hv/inhibit.pml, docs/inhibit-model.md).
model:
	tests/model-check

test: all
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory model
	tests/run

run: all
	tools/run

# The first experiment (README): Debian's 6.1 cloud kernel as a 2-VP guest beside the management shell.
# UEFI=1: minihv.efi under OVMF reads the kernel and initrd next to it instead of GRUB's modules.
run-linux: all
	tools/run --linux 6.1 --mem 512 --config tools/run-linux.cfg $(if $(UEFI),--uefi)

bench: all
	tools/bench

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
