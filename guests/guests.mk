# Guests: freestanding ELF64 images loaded into partition RAM (see docs/guest-abi.md).
guests:
	@mkdir -p $(B)/guests
