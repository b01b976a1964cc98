/*
 * startup.c: vector table and reset handler for the STM32F746 (Cortex-M7 + FPv5-SP-D16).
 *
 * Reset_Handler runs on the initial stack from vector word 0 (the top of DTCM, see linker.ld). It enables
 * the FPU first — the compiler may use FPU registers anywhere once -mfloat-abi=hard is on — then copies
 * .data from its load address in flash to DTCM, zeroes .bss, points VTOR at this table and calls main().
 * No C library start-up code (crt0) runs: the project links with -nostartfiles.
 */
#include <stdint.h>

#include "stm32f7_regs.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
int main(void);
void Reset_Handler(void);
void Default_Handler(void);

/* Any exception or interrupt nothing handles: stop here, where a debugger shows it. */
void Default_Handler(void)
{
    for (;;) {
        __asm__ volatile("bkpt 0");
    }
}

void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

/* STM32F746: 98 peripheral interrupts (RM0385 §10.1.2, Table 40); none is used, all go to the default. */
#define IRQ_COUNT 98

/*
 * ARMv7-M ARM §B1.5.3: word 0 = initial SP, word 1 = reset vector (Thumb: bit 0 set), then the 14 system
 * exception slots and the interrupts. linker.ld puts .isr_vector first in flash, at 0x08000000.
 */
__attribute__((section(".isr_vector"), used)) const uintptr_t vector_table[16 + IRQ_COUNT] = {
    [0] = (uintptr_t)_estack,
    [1] = (uintptr_t)Reset_Handler,
    [2] = (uintptr_t)NMI_Handler,
    [3] = (uintptr_t)HardFault_Handler,
    [4] = (uintptr_t)MemManage_Handler,
    [5] = (uintptr_t)BusFault_Handler,
    [6] = (uintptr_t)UsageFault_Handler,
    [11] = (uintptr_t)SVC_Handler,
    [12] = (uintptr_t)DebugMon_Handler,
    [14] = (uintptr_t)PendSV_Handler,
    [15] = (uintptr_t)SysTick_Handler,
    [16 ... 16 + IRQ_COUNT - 1] = (uintptr_t)Default_Handler,
};

void Reset_Handler(void)
{
    uint32_t *src = _sidata;
    uint32_t *dst;

    /* FPU: full access to CP10/CP11 before any floating-point instruction (ARMv7-M ARM §B3.2.20). */
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    DSB();
    ISB();

    for (dst = _sdata; dst < _edata;) *dst++ = *src++;
    for (dst = _sbss; dst < _ebss;) *dst++ = 0u;

    /* The boot address may be the ITCM alias of flash (0x00200000); use the AXI address of the table. */
    SCB_VTOR = (uint32_t)(uintptr_t)vector_table;
    DSB();

    (void)main();
    for (;;) {
        __asm__ volatile("wfi");
    }
}
