/* Everything the libOS runs in ring 0. On PVM each ring-0 instruction is emulated (~0.6 µs), so
 * these are counted: the syscall path is 5 instructions, a fault stub 4.
 *
 * On this machine's PVM a `syscall` from ring 3 of a guest without PVM's paravirtual set-up
 * arrives at LSTAR still in ring 3 (rcx and r11 set as usual): then the trampoline just continues
 * into the libOS and no ring-0 instruction runs at all. On hardware KVM it runs in ring 0 and
 * returns to the ring-3 libOS with sysretq. The page is user-executable for the PVM case. */
#include "skiff/abi.h"

    .section .ring0, "ax"
    .code64

/* LSTAR target. The app's `syscall` left its RIP in rcx and RFLAGS in r11; park the RIP where
 * the ring-3 entry finds it and return to ring 3, into the libOS instead of the app. */
    .globl skiff_syscall_trampoline
skiff_syscall_trampoline:
    mov %rcx, skiff_user_rip(%rip)      /* 1 */
    mov %cs, %ecx                       /* 2 */
    test $3, %cl                        /* 3 */
    jnz libos_syscall_entry             /* already ring 3 (PVM) */
    mov $libos_syscall_entry, %ecx      /* 4 */
    sysretq                             /* 5 */

/* IDT vectors 0..31, 16 bytes each: tell the VMM the vector; it reads the CPU's exception frame
 * from the IST stack and ends the app with the matching signal. */
    .balign 16
    .globl skiff_fault_stubs
skiff_fault_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .balign 16
    mov $\v, %eax
    mov $SKIFF_HC_FAULT_PORT, %dx
    out %eax, %dx
    hlt
    .endr
    .balign 16
    .globl skiff_fault_stubs_end
skiff_fault_stubs_end:

    .section .note.GNU-stack, "", @progbits
