; Multiboot entry: GRUB (multiboot2) and QEMU -kernel (multiboot1, a.out kludge) both land in
; mb_start in 32-bit protected mode, paging off. We build a temporary identity map of the first
; 4 GiB, switch to long mode and call mb_main(magic, info) in C.

bits 32
section .multiboot
align 8
mb2_header:
	dd 0xe85250d6                 ; multiboot2 magic
	dd 0                          ; i386 protected mode
	dd mb2_header_end - mb2_header
	dd -(0xe85250d6 + (mb2_header_end - mb2_header))
	align 8
	dw 1, 0                       ; information request tag
	dd 8 + 4 * 5
	dd 1, 3, 6, 14, 15            ; cmdline, modules, memory map, ACPI old and new RSDP
	align 8
	dw 0, 0                       ; end tag
	dd 8
mb2_header_end:

extern _load_start, _load_end, _bss_end
align 4
mb1_header:
	dd 0x1badb002
	dd 0x00010003                 ; page-align modules, memory info, a.out address fields valid
	dd -(0x1badb002 + 0x00010003)
	dd mb1_header                 ; header_addr
	dd _load_start                ; load_addr
	dd _load_end                  ; load_end_addr
	dd _bss_end                   ; bss_end_addr
	dd mb_start                   ; entry_addr

section .text
global mb_start
extern mb_main
mb_start:
	cli
	cld
	mov esp, boot_stack_top
	mov edi, eax                  ; magic, kept for mb_main
	mov esi, ebx                  ; info pointer

	; zero the boot page tables (PML4, PDPT, 4 PDs)
	push edi
	mov edi, boot_pml4
	mov ecx, 6 * 4096 / 4
	xor eax, eax
	rep stosd
	pop edi

	mov eax, boot_pdpt
	or eax, 3
	mov [boot_pml4], eax
	mov ecx, 0
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd
	or eax, 3
	mov [boot_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jne .pdpt
	; 2048 PDEs of 2 MiB each = 4 GiB; the top 16 MiB (LAPIC, IOAPIC, flash) uncached
	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 21
	or eax, 0x83                  ; present, writable, 2 MiB
	cmp ecx, 2040
	jb .wb
	or eax, 0x18                  ; PCD | PWT
.wb:
	mov [boot_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11                   ; bits 32+ of the address
	mov [boot_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jne .pd

	mov eax, cr4
	or eax, (1 << 5)              ; PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, 0xc0000080           ; IA32_EFER
	rdmsr
	or eax, (1 << 8)              ; LME
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | (1 << 0)  ; PG | PE
	mov cr0, eax
	lgdt [boot_gdt_ptr]
	jmp 0x08:.long_mode

bits 64
.long_mode:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	; edi = magic, esi = info (zero-extended by the 32-bit moves above)
	mov edi, edi
	mov esi, esi
	call mb_main
.hang:
	cli
	hlt
	jmp .hang

section .rodata
align 8
boot_gdt:
	dq 0
	dq 0x00af9a000000ffff         ; 0x08: 64-bit code
	dq 0x00cf92000000ffff         ; 0x10: data
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dd boot_gdt

section .bss
align 4096
boot_pml4: resb 4096
boot_pdpt: resb 4096
boot_pd: resb 4 * 4096
boot_stack: resb 32768
boot_stack_top:
