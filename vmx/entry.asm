; VM entry and exit. vmx_run() saves the host's callee-saved registers, records RSP in the VMCS
; (HOST_RSP), loads the guest GPRs and enters; a VM exit lands in vmx_exit with that RSP, stores the
; guest GPRs and returns 0 from vmx_run. A VMfail returns 1 (CF) or 2 (ZF: read VM_INSTRUCTION_ERROR).
bits 64
default rel
section .text

; G_RAX .. G_R15: offsets into struct guest_regs (include/partition.h), generated from offsetof by
; vmx/asm_offsets.c.
%include "asm_offsets.inc"

VMCS_HOST_RSP equ 0x6c14

global vmx_run, vmx_exit
; int vmx_run(struct guest_regs *regs /* rdi */, u64 launched /* rsi */)
vmx_run:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	push rdi                        ; the exit path finds the regs pointer at [rsp]
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .fail_early
	test rsi, rsi                   ; mov does not touch flags: test now, branch after the loads
	mov rax, [rdi + G_RAX]
	mov rbx, [rdi + G_RBX]
	mov rcx, [rdi + G_RCX]
	mov rdx, [rdi + G_RDX]
	mov rsi, [rdi + G_RSI]
	mov rbp, [rdi + G_RBP]
	mov r8, [rdi + G_R8]
	mov r9, [rdi + G_R9]
	mov r10, [rdi + G_R10]
	mov r11, [rdi + G_R11]
	mov r12, [rdi + G_R12]
	mov r13, [rdi + G_R13]
	mov r14, [rdi + G_R14]
	mov r15, [rdi + G_R15]
	mov rdi, [rdi + G_RDI]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; VMfailInvalid sets CF, VMfailValid sets ZF
	mov eax, 1
	jc .out
	mov eax, 2
.out:
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret
.fail_early:
	mov eax, 3
	jmp .out

vmx_exit:
	push rdi                        ; guest rdi
	mov rdi, [rsp + 8]              ; regs
	mov [rdi + G_RAX], rax
	mov [rdi + G_RBX], rbx
	mov [rdi + G_RCX], rcx
	mov [rdi + G_RDX], rdx
	mov [rdi + G_RSI], rsi
	mov [rdi + G_RBP], rbp
	mov [rdi + G_R8], r8
	mov [rdi + G_R9], r9
	mov [rdi + G_R10], r10
	mov [rdi + G_R11], r11
	mov [rdi + G_R12], r12
	mov [rdi + G_R13], r13
	mov [rdi + G_R14], r14
	mov [rdi + G_R15], r15
	pop rax
	mov [rdi + G_RDI], rax
	xor eax, eax
	jmp vmx_run.out                 ; the same epilogue: RSP is where vmx_run left it
