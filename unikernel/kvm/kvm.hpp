// The one place skiff includes <linux/kvm.h>. Debian 12's headers declare trailing flexible
// arrays with __DECLARE_FLEX_ARRAY, which C++ compiles to a one-element member: the structs grow,
// the _IOW/_IOWR numbers derived from their sizes change and KVM answers EINVAL. Redefining the
// macro as a zero-length array restores the kernel's layout; the asserts keep it that way.
#pragma once

#include <linux/stddef.h>
#undef __DECLARE_FLEX_ARRAY
#define __DECLARE_FLEX_ARRAY(TYPE, NAME) TYPE NAME[0]

#include <linux/kvm.h>

static_assert(sizeof(kvm_cpuid2) == 8, "kvm_cpuid2 must match the kernel");
static_assert(sizeof(kvm_msrs) == 8, "kvm_msrs must match the kernel");
static_assert(sizeof(kvm_msr_list) == 4, "kvm_msr_list must match the kernel");
static_assert(sizeof(kvm_signal_mask) == 4, "kvm_signal_mask must match the kernel");
static_assert(sizeof(kvm_irq_routing) == 8, "kvm_irq_routing must match the kernel");
static_assert(KVM_GET_SUPPORTED_CPUID == 0xc008ae05, "KVM_GET_SUPPORTED_CPUID number");
static_assert(KVM_SET_CPUID2 == 0x4008ae90, "KVM_SET_CPUID2 number");
static_assert(KVM_SET_MSRS == 0x4008ae89, "KVM_SET_MSRS number");
