/*
 * qemu-mps2-an500: vector table and reset handler (ARMv7-M Architecture Reference Manual, B1.5.2-B1.5.3).
 * The reset handler copies .data from flash, zeroes .bss, enables the FPU, then calls main(); a fault
 * prints its name through semihosting and ends the emulator with exit code 134, so a broken program never
 * hangs a test.
 */
#include <stdint.h>

#include "board.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(void);

void Reset_Handler(void);
void Default_Handler(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u) /* ARMv7-M ARM B3.2.20: CP10/CP11 full access */

static void fault(const char *what)
{
    static const char prefix[] = "\nfatal: ";
    const char *end = what;
    while (*end) end++;
    board_write(prefix, sizeof prefix - 1);
    board_write(what, (size_t)(end - what));
    board_write("\n", 1);
    board_exit(134);
}

static void NMI_Handler(void) { fault("NMI"); }
static void HardFault_Handler(void) { fault("HardFault"); }
static void MemManage_Handler(void) { fault("MemManage fault"); }
static void BusFault_Handler(void) { fault("BusFault"); }
static void UsageFault_Handler(void) { fault("UsageFault"); }
void Default_Handler(void) { fault("unexpected interrupt"); }

typedef void (*vector)(void);

#define IRQ8 Default_Handler, Default_Handler, Default_Handler, Default_Handler, \
    Default_Handler, Default_Handler, Default_Handler, Default_Handler

/* Initial stack pointer, then the 15 system exceptions, then the 32 AN500 interrupts. */
__attribute__((section(".isr_vector"), used)) const vector vector_table[16 + 32] = {
    (vector)(uintptr_t)&_estack,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    Default_Handler, /* SysTick */
    IRQ8, IRQ8, IRQ8, IRQ8, /* 32 external interrupts: none used */
};

void Reset_Handler(void)
{
    uint32_t *src = &_sidata;
    uint32_t *dst;
    SCB_CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    for (dst = &_sdata; dst < &_edata;) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;) *dst++ = 0u;
    board_exit(main());
}
