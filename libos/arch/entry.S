/* Ring-3 entry points of the libOS. */
    .text
    .code64

/* First guest instruction: rdi = &skiff_boot_info. */
    .globl libos_start
libos_start:
    lea libos_stack_top(%rip), %rsp
    call libos_main
    ud2

/* Where the ring-0 trampoline sysrets to after an app `syscall`: the app's registers are live
 * except rcx (ours) and r11 (its RFLAGS); its RIP is in skiff_user_rip. Build a SyscallFrame on
 * the libOS stack (the app's red zone stays untouched), dispatch, restore, jump back. */
    .globl libos_syscall_entry
libos_syscall_entry:
    mov %rsp, skiff_user_rsp(%rip)
    lea libos_stack_top(%rip), %rsp
    sub $144, %rsp                  /* 16 registers + pad: rsp stays 16-aligned at the call */
    mov %rax, 0(%rsp)
    mov %rdi, 8(%rsp)
    mov %rsi, 16(%rsp)
    mov %rdx, 24(%rsp)
    mov %r10, 32(%rsp)
    mov %r8, 40(%rsp)
    mov %r9, 48(%rsp)
    mov skiff_user_rip(%rip), %rcx
    mov %rcx, 56(%rsp)
    mov skiff_user_rsp(%rip), %rcx
    mov %rcx, 64(%rsp)
    mov %r11, 72(%rsp)
    mov %rbx, 80(%rsp)
    mov %rbp, 88(%rsp)
    mov %r12, 96(%rsp)
    mov %r13, 104(%rsp)
    mov %r14, 112(%rsp)
    mov %r15, 120(%rsp)
    cld
    mov %rsp, %rdi
    call libos_syscall
    /* fallthrough: resume the app from the (possibly rewritten) frame */
    .globl libos_resume
libos_resume:
    mov 0(%rsp), %rax
    mov 8(%rsp), %rdi
    mov 16(%rsp), %rsi
    mov 24(%rsp), %rdx
    mov 32(%rsp), %r10
    mov 40(%rsp), %r8
    mov 48(%rsp), %r9
    mov 80(%rsp), %rbx
    mov 88(%rsp), %rbp
    mov 96(%rsp), %r12
    mov 104(%rsp), %r13
    mov 112(%rsp), %r14
    mov 120(%rsp), %r15
    mov 56(%rsp), %rcx              /* rcx = rip and r11 = rflags, as after a Linux syscall */
    mov 72(%rsp), %r11
    pushq 72(%rsp)
    popfq
    mov 64(%rsp), %rsp
    jmp *%rcx

/* libos_enter_app(entry, stack): the app starts as from execve: rsp at argc, rdx = 0 (no
 * atexit function), the other registers zero. */
    .globl libos_enter_app
libos_enter_app:
    mov %rsi, %rsp
    mov %rdi, %rcx
    xor %eax, %eax
    xor %ebx, %ebx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    jmp *%rcx

    .bss
    .balign 16
    .globl skiff_user_rip, skiff_user_rsp
skiff_user_rip: .quad 0
skiff_user_rsp: .quad 0
    .balign 4096
libos_stack: .space 65536
    .globl libos_stack_top
libos_stack_top:

    .section .note.GNU-stack, "", @progbits
