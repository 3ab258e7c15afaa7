/**
 * The paravirtual interface KVM offers a guest, as numbers a guest program
 * uses: the host side (src/host/vcpu.ts) and the guest programs
 * (src/workloads) share these, so neither writes the numbers by hand.
 */

/** MSR_KVM_STEAL_TIME (arch/x86/include/uapi/asm/kvm_para.h). Reading it here returns the steal clock in ns. */
export const MSR_KVM_STEAL_TIME = 0x4b564d03;
/** KVM_HC_KICK_CPU (include/uapi/linux/kvm_para.h): wake a halted vCPU (paravirtual spinlock unlock). */
export const KVM_HC_KICK_CPU = 5;
/** KVM_HC_SCHED_YIELD (include/uapi/linux/kvm_para.h): yield to the vCPU given, if it is preempted. */
export const KVM_HC_SCHED_YIELD = 11;
