; Guest entry: every VP starts here in 64-bit mode, RDI = GPA of its boot-info page (docs/guest-abi.md).
bits 64
default rel

global _start
extern guest_rt_init
extern guest_main
extern guest_exit

section .text.entry progbits alloc exec nowrite align=16
_start:
	xor ebp, ebp            ; ends frame-pointer backtraces
	and rsp, -16            ; the SysV ABI alignment at a call
	mov rbx, rdi            ; callee-saved across guest_rt_init
	call guest_rt_init
	mov rdi, rbx
	call guest_main
	mov edi, eax            ; guest_main's return value is the exit status
	call guest_exit
.hang:                          ; guest_exit does not return; HLT with IF=0 also ends the VP
	cli
	hlt
	jmp .hang
