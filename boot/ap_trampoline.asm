; AP start code. The BSP copies [ap_trampoline_start, ap_trampoline_end) to a page below 1 MiB,
; fills the parameter block at AP_PARAMS, and sends INIT-SIPI-SIPI with that page as the vector.
; The code is position independent: it finds its own base from CS.

AP_PARAMS equ 0xf00                 ; offset of the parameter block in the page
P_CR3     equ AP_PARAMS + 0         ; u32: page-table root (below 4 GiB)
P_STACK   equ AP_PARAMS + 8         ; u64: stack top
P_ENTRY   equ AP_PARAMS + 16        ; u64: void entry(void *arg)
P_ARG     equ AP_PARAMS + 24        ; u64

section .text
bits 16
global ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4                      ; linear base of this page
	lea eax, [ebx + (gdt - ap_trampoline_start)]
	mov [gdt_ptr - ap_trampoline_start + 2], eax
	lea eax, [ebx + (pm32 - ap_trampoline_start)]
	mov [pm32_ptr - ap_trampoline_start], eax
	lgdt [gdt_ptr - ap_trampoline_start]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	jmp far dword [pm32_ptr - ap_trampoline_start]

bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	lea esp, [ebx + AP_PARAMS]      ; a small stack below the parameter block, for the far return
	mov eax, cr4
	or eax, (1 << 5)                ; PAE
	mov cr4, eax
	mov eax, [ebx + P_CR3]
	mov cr3, eax
	mov ecx, 0xc0000080             ; IA32_EFER
	rdmsr
	or eax, (1 << 8)                ; LME
	wrmsr
	mov eax, cr0
	or eax, (1 << 31) | 1           ; PG | PE
	mov cr0, eax
	lea eax, [ebx + (lm64 - ap_trampoline_start)]
	push dword 0x08
	push eax
	retf

bits 64
lm64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ebx, ebx                    ; upper halves are undefined after the mode switch
	mov rsp, [rbx + P_STACK]
	mov rdi, [rbx + P_ARG]
	mov rax, [rbx + P_ENTRY]
	call rax
.hang:
	cli
	hlt
	jmp .hang

align 8
gdt:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code
	dq 0x00cf92000000ffff           ; 0x10: data
	dq 0x00cf9a000000ffff           ; 0x18: 32-bit code
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dd 0
pm32_ptr:
	dd 0
	dw 0x18
ap_trampoline_end:
