; Host interrupt and exception entry stubs. Every stub pushes an error code (a dummy 0 where the
; CPU pushes none) and its vector, then the common path saves the GPRs and calls isr_dispatch.
bits 64
default rel
section .text

extern isr_dispatch

%macro STUB 1
align 16
isr_stub_%1:
%if (%1 = 8) || (%1 >= 10 && %1 <= 14) || (%1 = 17) || (%1 = 21) || (%1 = 29) || (%1 = 30)
%else
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign v 0
%rep 32
STUB v
%assign v v+1
%endrep
%assign v 32
%rep 224
STUB v
%assign v v+1
%endrep

isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	; align the stack for the C call; the frame pointer in rdi keeps the original
	mov rbx, rsp
	and rsp, -16
	call isr_dispatch
	mov rsp, rbx
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq

section .data
align 8
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 256
	dq isr_stub_%+v
%assign v v+1
%endrep
