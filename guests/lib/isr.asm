; One stub per vector: pushes a zero error code where the CPU pushes none, then the vector, saves the
; general registers as struct irq_frame (guest.h) and calls isr_dispatch(frame).
bits 64
default rel

global isr_stub_table
extern isr_dispatch

section .text

%macro ISR_STUB 1
isr_stub_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
	push qword %1           ; SDM vol. 3 6.13: these exceptions push an error code
%else
	push qword 0
	push qword %1
%endif
	jmp isr_common
%endmacro

%assign v 0
%rep 256
ISR_STUB v
%assign v v + 1
%endrep

; The CPU aligned RSP to 16 before its 5-qword frame; error code + vector + 15 registers keep the call
; 16-byte aligned.
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
	cld
	mov rdi, rsp
	call isr_dispatch
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
	add rsp, 16             ; vector and error code
	iretq

section .rodata
align 8
isr_stub_table:
%assign v 0
%rep 256
	dq isr_stub_ %+ v
%assign v v + 1
%endrep
