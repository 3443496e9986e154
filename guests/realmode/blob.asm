; realmode: leave long mode for real mode, VMCALL there (TLFS: #UD outside protected mode), come back.
; The blob is copied to REALMODE_BASE (below 64 KiB) and run from there; 32- and 16-bit code use
; absolute addresses computed from that base, 64-bit code is RIP-relative.
REALMODE_BASE equ 0x8000
%define ABS(l) (REALMODE_BASE + (l) - realmode_blob)

section .text
global realmode_blob, realmode_blob_end, realmode_entry_offset

bits 64
realmode_blob:
entry64:
	push rbx
	push rbp
	mov [rel saved_rsp], rsp
	mov rax, cr3
	mov [rel saved_cr3], eax
	lea rax, [rel gdt]
	mov [rel gdt_ptr + 2], rax
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
	and eax, ~(1 << 31)              ; PG off: long mode ends (LMA = 0)
	mov cr0, eax
	mov ecx, 0xc0000080
	rdmsr
	and eax, ~(1 << 8)               ; LME off
	wrmsr
	jmp 0x20:ABS(pm16)

bits 16
pm16:
	mov ax, 0x28
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr0
	and eax, ~1                      ; PE off: real mode
	mov cr0, eax
	jmp 0x0000:ABS(rm)
rm:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, ABS(stack_top)
	lidt [ABS(rm_idtr)]
	mov word [6 * 4], ABS(ud_handler) ; IVT[6] = 0000:ud_handler
	mov word [6 * 4 + 2], 0
	mov word [ABS(ud_seen)], 0
	mov eax, 0x7f01 | (1 << 16)      ; a valid input value: only the mode must make it fail
	xor edx, edx
	vmcall
	; back to protected mode, then long mode
	mov eax, cr0
	or eax, 1
	mov cr0, eax
	jmp dword 0x18:ABS(pm32b)

ud_handler:
	inc word [ABS(ud_seen)]
	push bp
	mov bp, sp
	add word [bp + 2], 3             ; skip the 3-byte VMCALL
	pop bp
	iret

bits 32
pm32b:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, [ABS(saved_cr3)]
	mov cr3, eax
	mov ecx, 0xc0000080
	rdmsr
	or eax, (1 << 8)                 ; LME
	wrmsr
	mov eax, cr0
	or eax, (1 << 31)                ; PG: compatibility mode again
	mov cr0, eax
	jmp 0x08:ABS(lm64)

bits 64
lm64:
	mov rsp, [rel saved_rsp]
	movzx eax, word [rel ud_seen]
	pop rbp
	pop rbx
	ret

align 8
gdt:
	dq 0
	dq 0x00af9b000000ffff            ; 0x08 64-bit code
	dq 0x00cf93000000ffff            ; 0x10 data
	dq 0x00cf9b000000ffff            ; 0x18 32-bit code
	dq 0x00009b000000ffff            ; 0x20 16-bit code, base 0, limit 64 KiB
	dq 0x000093000000ffff            ; 0x28 16-bit data
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dq 0
rm_idtr:
	dw 0x3ff
	dd 0
saved_rsp: dq 0
saved_cr3: dd 0
ud_seen: dw 0
align 16
	times 256 db 0
stack_top:
realmode_blob_end:

section .rodata
realmode_entry_offset: dq entry64 - realmode_blob
