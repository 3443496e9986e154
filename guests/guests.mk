# Guests: freestanding ELF64 images loaded into partition RAM (see docs/guest-abi.md).
# Every directory guests/NAME/ other than lib with .c files becomes $(B)/guests/NAME.elf, linked with the
# runtime (guests/lib/*.c, guests/lib/*.asm and lib/lib.c, compiled again with the guest flags).

GUEST_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-stack-protector -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -mcmodel=small -Iinclude/abi -Ilib -Iguests/lib $(WARN) -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack -T guests/lib/guest.ld
GUEST_OBJ := $(B)/guests-obj

GUEST_RT_SRCS := $(wildcard guests/lib/*.c guests/lib/*.asm) lib/lib.c
GUEST_RT_OBJS := $(patsubst %,$(GUEST_OBJ)/%.o,$(basename $(GUEST_RT_SRCS)))
GUEST_NAMES := $(filter-out lib,$(sort $(patsubst guests/%/,%,$(dir $(wildcard guests/*/*.c)))))
GUEST_ELFS := $(patsubst %,$(B)/guests/%.elf,$(GUEST_NAMES))

guests: $(GUEST_ELFS)

$(GUEST_OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OBJ)/%.o: %.asm
	@mkdir -p $(dir $@)
	@echo "  NASM    $@"
	$(Q)$(NASM) $(NASMFLAGS) $< -o $@

# $(1): guest name. Its own .c/.asm files plus the runtime.
define GUEST_ELF_RULE
$(B)/guests/$(1).elf: $(patsubst %,$(GUEST_OBJ)/%.o,$(basename $(wildcard guests/$(1)/*.c guests/$(1)/*.asm))) \
		$(GUEST_RT_OBJS) guests/lib/guest.ld
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $$@ $$(filter %.o,$$^)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_ELF_RULE,$(g))))
