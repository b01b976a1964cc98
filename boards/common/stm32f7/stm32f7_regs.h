/*
 * stm32f7_regs.h: the few STM32F746 and Cortex-M7 registers the utvm-aot board code touches.
 *
 * Written for utvm-aot from the reference documents, not copied from a vendor header:
 *   RM0385  STM32F75xxx and STM32F74xxx reference manual (Rev 8): memory map §2.2.2, FLASH §3.7,
 *           PWR §4.4, RCC §5.3, GPIO §6.4, USART §31.8.
 *   ARM DDI 0403E  ARMv7-M Architecture Reference Manual: SCB §B3.2, CPACR §B3.2.20, cache maintenance
 *           §B2.2.7 / §B3.2.2, DEMCR §C1.6.5, DWT §C1.8.
 *   ARM DUI 0646  Cortex-M7 Devices Generic User Guide: CCR §4.3.7, CCSIDR/CSSELR §4.8, the cache
 *           enable sequences in §4.8.7 / §4.8.8 (invalidate before enable).
 * Registers are plain volatile words at fixed addresses: REG32(base + offset).
 */
#ifndef STM32F7_REGS_H
#define STM32F7_REGS_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* ---- FLASH interface (RM0385 §3.7, base 0x40023C00 from §2.2.2) ---- */
#define FLASH_BASE_ADDR 0x40023C00u
#define FLASH_ACR REG32(FLASH_BASE_ADDR + 0x00u) /* §3.7.1 access control register */
#define FLASH_ACR_LATENCY_MASK 0xFu              /* bits 3:0 wait states (7 WS at 216 MHz, 2.7-3.6 V: Table 7) */
#define FLASH_ACR_PRFTEN (1u << 8)               /* prefetch enable */
#define FLASH_ACR_ARTEN (1u << 9)                /* ART accelerator enable */
#define FLASH_ACR_ARTRST (1u << 11)              /* ART accelerator reset (only while ARTEN = 0) */

/* ---- PWR power controller (RM0385 §4.4, base 0x40007000) ---- */
#define PWR_BASE_ADDR 0x40007000u
#define PWR_CR1 REG32(PWR_BASE_ADDR + 0x00u)     /* §4.4.1 power control register 1 */
#define PWR_CR1_VOS_SHIFT 14u                    /* bits 15:14 regulator voltage scaling: 0b11 = scale 1 */
#define PWR_CR1_VOS_MASK (3u << PWR_CR1_VOS_SHIFT)
#define PWR_CR1_ODEN (1u << 16)                  /* over-drive enable */
#define PWR_CR1_ODSWEN (1u << 17)                /* over-drive switching enable */
#define PWR_CSR1 REG32(PWR_BASE_ADDR + 0x04u)    /* §4.4.2 power control/status register 1 */
#define PWR_CSR1_VOSRDY (1u << 14)               /* regulator voltage scaling output selection ready */
#define PWR_CSR1_ODRDY (1u << 16)                /* over-drive mode ready */
#define PWR_CSR1_ODSWRDY (1u << 17)              /* over-drive switching ready */

/* ---- RCC reset and clock control (RM0385 §5.3, base 0x40023800) ---- */
#define RCC_BASE_ADDR 0x40023800u
#define RCC_CR REG32(RCC_BASE_ADDR + 0x00u)      /* §5.3.1 clock control register */
#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_HSEBYP (1u << 18)                 /* HSE from an external clock (bypass the oscillator) */
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_PLLCFGR REG32(RCC_BASE_ADDR + 0x04u) /* §5.3.2 PLL configuration register */
#define RCC_PLLCFGR_PLLM_SHIFT 0u                /* bits 5:0   VCO input = PLL input / M (2..63) */
#define RCC_PLLCFGR_PLLN_SHIFT 6u                /* bits 14:6  VCO output = VCO input * N (50..432) */
#define RCC_PLLCFGR_PLLP_SHIFT 16u               /* bits 17:16 SYSCLK = VCO / P, P = 2 * (field + 1) */
#define RCC_PLLCFGR_PLLSRC_HSE (1u << 22)        /* PLL (and PLLI2S/PLLSAI) input = HSE */
#define RCC_PLLCFGR_PLLQ_SHIFT 24u               /* bits 27:24 48 MHz domain = VCO / Q (2..15) */
#define RCC_CFGR REG32(RCC_BASE_ADDR + 0x08u)    /* §5.3.3 clock configuration register */
#define RCC_CFGR_SW_MASK 3u                      /* bits 1:0 system clock switch */
#define RCC_CFGR_SW_PLL 2u
#define RCC_CFGR_SWS_MASK (3u << 2)              /* bits 3:2 system clock switch status */
#define RCC_CFGR_SWS_PLL (2u << 2)
#define RCC_CFGR_HPRE_MASK (0xFu << 4)           /* bits 7:4 AHB prescaler: 0 = /1 */
#define RCC_CFGR_PPRE1_MASK (7u << 10)           /* bits 12:10 APB1 prescaler */
#define RCC_CFGR_PPRE1_DIV4 (5u << 10)           /*   0b101 = /4 (APB1 at most 54 MHz) */
#define RCC_CFGR_PPRE2_MASK (7u << 13)           /* bits 15:13 APB2 prescaler */
#define RCC_CFGR_PPRE2_DIV2 (4u << 13)           /*   0b100 = /2 (APB2 at most 108 MHz) */
#define RCC_AHB1ENR REG32(RCC_BASE_ADDR + 0x30u) /* §5.3.10 AHB1 peripheral clock enable register */
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_AHB1ENR_GPIOBEN (1u << 1)
#define RCC_AHB1ENR_GPIODEN (1u << 3)
#define RCC_APB1ENR REG32(RCC_BASE_ADDR + 0x40u) /* §5.3.13 APB1 peripheral clock enable register */
#define RCC_APB1ENR_USART3EN (1u << 18)
#define RCC_APB1ENR_PWREN (1u << 28)
#define RCC_APB2ENR REG32(RCC_BASE_ADDR + 0x44u) /* §5.3.14 APB2 peripheral clock enable register */
#define RCC_APB2ENR_USART1EN (1u << 4)
/* RCC_DCKCFGR2 (§5.3.25, offset 0x90) keeps its reset value: USART1/USART3 clocked from their PCLK. */

/* ---- GPIO (RM0385 §6.4; port A at 0x40020000, each next port 0x400 higher) ---- */
#define GPIO_PORT_ADDR(port) (0x40020000u + 0x400u * (uint32_t)(port)) /* port 0 = A, 1 = B, 3 = D */
#define GPIO_MODER(port) REG32(GPIO_PORT_ADDR(port) + 0x00u)   /* §6.4.1 mode: 2 bits/pin, 0b10 = alternate */
#define GPIO_OTYPER(port) REG32(GPIO_PORT_ADDR(port) + 0x04u)  /* §6.4.2 output type: 0 = push-pull */
#define GPIO_OSPEEDR(port) REG32(GPIO_PORT_ADDR(port) + 0x08u) /* §6.4.3 speed: 2 bits/pin, 0b10 = high */
#define GPIO_PUPDR(port) REG32(GPIO_PORT_ADDR(port) + 0x0Cu)   /* §6.4.4 pull: 2 bits/pin, 0b01 = pull-up */
#define GPIO_AFR(port, pin) REG32(GPIO_PORT_ADDR(port) + ((pin) < 8u ? 0x20u : 0x24u)) /* §6.4.9/10 AFRL/AFRH */
#define GPIO_MODE_AF 2u
#define GPIO_SPEED_HIGH 2u
#define GPIO_PULL_UP 1u

/* ---- USART (RM0385 §31.8; USART1 0x40011000 on APB2, USART3 0x40004800 on APB1) ---- */
#define USART1_BASE_ADDR 0x40011000u
#define USART3_BASE_ADDR 0x40004800u
#define USART_CR1(base) REG32((base) + 0x00u)  /* §31.8.1 control register 1 */
#define USART_CR1_UE (1u << 0)                 /* USART enable */
#define USART_CR1_RE (1u << 2)                 /* receiver enable */
#define USART_CR1_TE (1u << 3)                 /* transmitter enable */
#define USART_CR2(base) REG32((base) + 0x04u)  /* §31.8.2 control register 2: 0 = 1 stop bit */
#define USART_CR3(base) REG32((base) + 0x08u)  /* §31.8.3 control register 3 */
#define USART_BRR(base) REG32((base) + 0x0Cu)  /* §31.8.4 baud rate register: PCLK / baud (OVER8 = 0) */
#define USART_ISR(base) REG32((base) + 0x1Cu)  /* §31.8.8 interrupt and status register */
#define USART_ISR_TC (1u << 6)                 /* transmission complete */
#define USART_ISR_TXE (1u << 7)                /* transmit data register empty */
#define USART_TDR(base) REG32((base) + 0x28u)  /* §31.8.11 transmit data register */

/* ---- System control block (ARMv7-M ARM §B3.2; Cortex-M7 generic user guide §4.3, §4.8) ---- */
#define SCB_VTOR REG32(0xE000ED08u)            /* vector table offset register, §B3.2.5 */
#define SCB_CCR REG32(0xE000ED14u)             /* configuration and control register, CM7 GUG §4.3.7 */
#define SCB_CCR_DC (1u << 16)                  /* data cache enable */
#define SCB_CCR_IC (1u << 17)                  /* instruction cache enable */
#define SCB_CCSIDR REG32(0xE000ED80u)          /* cache size ID register, CM7 GUG §4.8.3 */
#define SCB_CCSIDR_SETS(x) (((x) >> 13) & 0x7FFFu)      /* number of sets - 1 */
#define SCB_CCSIDR_WAYS(x) (((x) >> 3) & 0x3FFu)        /* associativity - 1 */
#define SCB_CSSELR REG32(0xE000ED84u)          /* cache size selection register: 0 = L1 data cache */
#define SCB_CPACR REG32(0xE000ED88u)           /* coprocessor access control, ARMv7-M ARM §B3.2.20 */
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)  /* CP10 and CP11 (the FPU): full access */
#define SCB_ICIALLU REG32(0xE000EF50u)         /* I-cache invalidate all to the PoU, §B2.2.7 */
#define SCB_DCISW REG32(0xE000EF60u)           /* D-cache invalidate by set/way, §B2.2.7 */
#define SCB_DCISW_SET_SHIFT 5u                 /* Cortex-M7: 32-byte lines */
#define SCB_DCISW_WAY_SHIFT 30u                /* Cortex-M7: 4-way data cache */

/* ---- Debug and trace: DEMCR (ARMv7-M ARM §C1.6.5) and the DWT cycle counter (§C1.8) ---- */
#define DEMCR REG32(0xE000EDFCu)               /* debug exception and monitor control register */
#define DEMCR_TRCENA (1u << 24)                /* enable DWT and ITM */
#define DWT_CTRL REG32(0xE0001000u)            /* DWT control register, §C1.8.7 */
#define DWT_CTRL_CYCCNTENA (1u << 0)           /* enable the cycle counter */
#define DWT_CYCCNT REG32(0xE0001004u)          /* cycle count register, §C1.8.8 */
#define DWT_LAR REG32(0xE0001FB0u)             /* CoreSight lock access register (Cortex-M7 TRM §3.1): */
#define DWT_LAR_UNLOCK 0xC5ACCE55u             /*   writes to DWT are ignored until this key is written */

/* Barriers (ARMv7-M ARM §A3.7.3): complete memory accesses and flush the pipeline after system writes. */
#define DSB() __asm__ volatile("dsb 0xF" ::: "memory")
#define ISB() __asm__ volatile("isb 0xF" ::: "memory")

#endif /* STM32F7_REGS_H */
