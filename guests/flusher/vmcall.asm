; The flusher's one flush VMCALL, at a known address (flusher_vmcall_insn), with a known RAX: a VP
; suspended on it sits exactly there, and an interrupt delivered at the VMCALL boundary shows that RIP
; and the untouched RAX in its frame (mailbox.h: irq_rip, irq_rax).
bits 64
default rel

global flusher_vmcall
global flusher_vmcall_insn

section .text

; u64 flusher_vmcall(u64 control, u64 rdx, u64 r8, u64 rax_in, const void *xmm)
;   rdi = hypercall input value (RCX), rsi = RDX, rdx = R8, rcx = RAX on entry, r8 = 96 bytes for
;   XMM0..XMM5 (16-byte aligned) or 0. Returns RAX. Clobbers only caller-saved registers.
flusher_vmcall:
	mov r9, r8
	mov rax, rcx
	mov rcx, rdi
	mov r8, rdx
	mov rdx, rsi
	test r9, r9
	jz .call
	movdqa xmm0, [r9 + 0x00]
	movdqa xmm1, [r9 + 0x10]
	movdqa xmm2, [r9 + 0x20]
	movdqa xmm3, [r9 + 0x30]
	movdqa xmm4, [r9 + 0x40]
	movdqa xmm5, [r9 + 0x50]
.call:
flusher_vmcall_insn:
	vmcall
	ret
