; pagewalk: park a VP in another paging mode (32-bit, PAE, paging off) until the management partition
; says go, then come back to long mode. Called from C: pw_park(struct pw_ctx *ctx) (pagewalk.h).
; The code runs where it was loaded: every mode identity-maps the first 32 MiB, and the 32-bit code uses
; absolute addresses (the image lies below 4 GiB).
CR0_PG equ 1 << 31
EFER equ 0xc0000080
EFER_LME equ 1 << 8

section .text
global pw_park

bits 64
pw_park:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rdi], rsp
	mov rax, cr3
	mov [rdi + 8], rax
	mov rax, cr4
	mov [rdi + 16], rax
	lgdt [rel gdt_ptr]
	push 0x18                        ; 32-bit code: compatibility mode
	lea rax, [rel pm32]
	push rax
	retfq

bits 32
pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr0
	and eax, ~CR0_PG                 ; long mode ends (LMA = 0)
	mov cr0, eax
	mov ecx, EFER
	rdmsr
	and eax, ~EFER_LME
	wrmsr
	mov eax, [edi + 28]
	mov cr4, eax
	mov eax, [edi + 24]
	test eax, eax
	jz .parked                       ; paging stays off
	mov cr3, eax
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax
.parked:
	mov eax, [edi + 32]
	mov dword [eax], 1
	mov ebx, [edi + 40]
.spin:
	pause
	cmp dword [ebx], 0
	je .spin
	mov eax, cr0
	and eax, ~CR0_PG
	mov cr0, eax
	mov eax, [edi + 16]
	mov cr4, eax
	mov eax, [edi + 8]
	mov cr3, eax
	mov ecx, EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax
	jmp dword 0x08:lm64

bits 64
lm64:
	mov edi, edi                     ; the upper halves are undefined after compatibility mode
	mov rsp, [rdi]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

section .data
align 8
gdt:
	dq 0
	dq 0x00af9b000000ffff            ; 0x08 64-bit code
	dq 0x00cf93000000ffff            ; 0x10 data
	dq 0x00cf9b000000ffff            ; 0x18 32-bit code
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dq gdt
