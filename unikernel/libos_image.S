/* The libOS, built as a flat image by libos/CMakeLists.txt, embedded into skiff-vmm. */
    .section .rodata.skiff_libos, "a"
    .balign 4096
    .globl skiff_libos_image
skiff_libos_image:
    .incbin SKIFF_LIBOS_BIN
    .globl skiff_libos_image_end
skiff_libos_image_end:
    .section .note.GNU-stack, "", @progbits
