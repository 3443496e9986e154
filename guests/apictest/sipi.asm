; apictest: the code an AP runs after INIT and SIPI. It starts in real mode at CS = SIPI vector << 8,
; IP = 0, and makes the mode switches of Linux's AP trampoline: real mode → 32-bit protected mode with
; paging off (CR0 = PE only, as Linux writes it) → PAE, EFER.LME, CR0.PG → long mode. There it reads its
; x2APIC id (before it has an IDT, as Linux 6.12 does) and jumps to the runtime's _start with the ABI
; entry state of that VP. The C side copies the blob to SIPI_BASE and fills the mailbox at offset 8.
SIPI_BASE equ 0x9000
%define OFF(l) ((l) - sipi_blob)
%define ABS(l) (SIPI_BASE + (l) - sipi_blob)

section .text
global sipi_blob, sipi_blob_end

bits 16
sipi_blob:
	jmp short rm_entry
align 8
mailbox:                        ; struct sipi_mailbox (apictest.c)
mb_entry:	dq 0            ; 64-bit address of _start
mb_ram_size:	dq 0
mb_count:	dd 0            ; real-mode entries: a later SIPI must not add one
mb_rm_cs:	dd 0            ; CS seen in real mode
mb_pm_cr0:	dd 0            ; CR0 read in protected mode
mb_lm_efer:	dd 0            ; EFER read in long mode
mb_apic_base:	dq 0, 0, 0, 0   ; IA32_APIC_BASE per x2APIC id, read before any IDT

rm_entry:
	cli
	mov ax, cs
	mov ds, ax
	lock inc dword [OFF(mb_count)]
	mov [OFF(mb_rm_cs)], ax
	o32 lgdt [OFF(gdt_ptr)]
	mov eax, 1                      ; PE only (NE = 0): the later CR0 write changes NE and exits
	mov cr0, eax
	jmp dword 0x18:ABS(pm32)

bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr0
	mov [ABS(mb_pm_cr0)], eax
	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov cr4, eax
	mov eax, 0x1000                 ; MINIHV_GPA_PML4: the identity map minihv built
	mov cr3, eax
	mov ecx, 0xc0000080
	rdmsr
	or eax, 1 << 8                  ; LME
	wrmsr
	mov eax, 0x80010033             ; PG WP NE ET MP PE: IA-32e mode, compatibility code
	mov cr0, eax
	jmp 0x08:ABS(lm64)

bits 64
lm64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ecx, 0xc0000080
	rdmsr
	mov [ABS(mb_lm_efer)], eax
	mov ecx, 0x1b                   ; IA32_APIC_BASE
	rdmsr
	shl rdx, 32
	or rax, rdx
	mov rbx, rax
	mov ecx, 0x802                  ; x2APIC id = VP index
	rdmsr
	mov esi, eax
	and eax, 3
	mov [ABS(mb_apic_base) + rax * 8], rbx
	mov rax, rsi                    ; RSP = ram_size - id * 16 KiB, RDI = boot info of id
	shl rax, 14
	mov rsp, [ABS(mb_ram_size)]
	sub rsp, rax
	mov rdi, rsi
	shl rdi, 12
	add rdi, 0x10000
	jmp [ABS(mb_entry)]

align 8
gdt:
	dq 0
	dq 0x00af9b000000ffff            ; 0x08 64-bit code
	dq 0x00cf93000000ffff            ; 0x10 data
	dq 0x00cf9b000000ffff            ; 0x18 32-bit code
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dd ABS(gdt)
sipi_blob_end:
