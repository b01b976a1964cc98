/*
 * external_memory.c: the STM32F746G-DISCO's external memories, set up by board_init() (board.c) when
 * board_config.h defines BOARD_EXTERNAL_MEMORY, so the model's arena in SDRAM (.arena_sdram) and its
 * weights in the QSPI flash (.weights_qspi) can be used (boards/common/stm32f7/linker.ld).
 *
 *   SDRAM  MT48LC4M32B2 on FMC SDRAM bank 1 (SDCKE0/SDNE0), 16-bit data bus: 8 MB at 0xC0000000;
 *          4 banks x 4096 rows x 256 columns x 16 bits; SDCLK = HCLK / 2 = 108 MHz, CAS latency 2.
 *   QSPI   N25Q128A, 16 MB, memory-mapped at 0x90000000 (read-only); QUADSPI clock 216 MHz / 3 = 72 MHz,
 *          "quad output fast read" (0x6B: instruction and 24-bit address on one line, 8 dummy cycles,
 *          data on four lines).
 *
 * Register facts from RM0385 (§13 FMC, §14 QUADSPI, §6 GPIO, §5 RCC), the pins from the board's
 * schematic (UM1907), the SDRAM timings from the MT48LC4M32B2 data sheet (-6A grade) rounded up to whole
 * SDCLK cycles of 9.26 ns. 0xC0000000 is "device" memory in the Cortex-M7's default map (no unaligned
 * access, no cache): an MPU region makes the SDRAM normal, write-back cacheable memory.
 */
#include <stdint.h>

#include "stm32f7_regs.h"

void board_external_memory_init(void);

#define RCC_AHB3ENR REG32(RCC_BASE_ADDR + 0x38u) /* §5.3.12: bit 0 FMCEN, bit 1 QSPIEN */
#define RCC_AHB3ENR_FMCEN (1u << 0)
#define RCC_AHB3ENR_QSPIEN (1u << 1)

#define FMC_SDCR1 REG32(0xA0000140u)  /* §13.7.3 SDRAM control register 1 */
#define FMC_SDTR1 REG32(0xA0000148u)  /* §13.7.4 SDRAM timing register 1 */
#define FMC_SDCMR REG32(0xA0000150u)  /* §13.7.5 SDRAM command mode register */
#define FMC_SDRTR REG32(0xA0000154u)  /* §13.7.6 SDRAM refresh timer register */
#define FMC_SDSR REG32(0xA0000158u)   /* §13.7.7 SDRAM status register */
#define FMC_SDSR_BUSY (1u << 5)

#define QSPI_CR REG32(0xA0001000u)    /* §14.5.1 control register */
#define QSPI_DCR REG32(0xA0001004u)   /* §14.5.2 device configuration register */
#define QSPI_SR REG32(0xA0001008u)    /* §14.5.3 status register */
#define QSPI_FCR REG32(0xA000100Cu)   /* §14.5.4 flag clear register */
#define QSPI_CCR REG32(0xA0001014u)   /* §14.5.6 communication configuration register */
#define QSPI_SR_TCF (1u << 1)
#define QSPI_SR_BUSY (1u << 5)

#define MPU_CTRL REG32(0xE000ED94u)   /* ARMv7-M ARM §B3.5: MPU control, region number, base, attributes */
#define MPU_RNR REG32(0xE000ED98u)
#define MPU_RBAR REG32(0xE000ED9Cu)
#define MPU_RASR REG32(0xE000EDA0u)

/* A pin as alternate function `af`: push-pull, very high speed, no pull. */
static void pin_af(uint32_t port, uint32_t pin, uint32_t af)
{
    uint32_t shift2 = pin * 2u, shift4 = (pin % 8u) * 4u;
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << shift2)) | (GPIO_MODE_AF << shift2);
    GPIO_OTYPER(port) &= ~(1u << pin);
    GPIO_OSPEEDR(port) |= 3u << shift2;
    GPIO_PUPDR(port) &= ~(3u << shift2);
    GPIO_AFR(port, pin) = (GPIO_AFR(port, pin) & ~(0xFu << shift4)) | (af << shift4);
}

/* Every pin of `mask` on `port` as alternate function `af`. */
static void pins_af(uint32_t port, uint32_t mask, uint32_t af)
{
    uint32_t pin;
    for (pin = 0u; pin < 16u; pin++) {
        if ((mask >> pin) & 1u) pin_af(port, pin, af);
    }
}

/* At least `n` core cycles (one loop iteration takes more than one cycle). */
static void spin(uint32_t n)
{
    volatile uint32_t i;
    for (i = 0u; i < n; i++) {
    }
}

static void sdram_command(uint32_t mode, uint32_t refreshes, uint32_t mode_register)
{
    while ((FMC_SDSR & FMC_SDSR_BUSY) != 0u) {
    }
    /* MODE bits 2:0, CTB1 bit 4 (bank 1), NRFS bits 8:5 (count - 1), MRD bits 21:9 */
    FMC_SDCMR = mode | (1u << 4) | ((refreshes - 1u) << 5) | (mode_register << 9);
    while ((FMC_SDSR & FMC_SDSR_BUSY) != 0u) {
    }
}

static void sdram_init(void)
{
    enum { PC = 2u, PD = 3u, PE = 4u, PF = 5u, PG = 6u, PH = 7u, AF_FMC = 12u };
    pins_af(PC, 1u << 3, AF_FMC);                                 /* SDCKE0 */
    pins_af(PD, 0xC703u, AF_FMC);                                 /* D2 D3 D13 D14 D15 D0 D1: PD0 1 8 9 10 14 15 */
    pins_af(PE, 0xFF83u, AF_FMC);                                 /* NBL0 NBL1 D4..D12: PE0 1 7..15 */
    pins_af(PF, 0xF83Fu, AF_FMC);                                 /* A0..A5 SDNRAS A6..A9: PF0..5 11..15 */
    pins_af(PG, 0x8133u, AF_FMC);                                 /* A10 A11 BA0 BA1 SDCLK SDNCAS: PG0 1 4 5 8 15 */
    pins_af(PH, (1u << 3) | (1u << 5), AF_FMC);                   /* SDNE0 SDNWE */

    /* NC 8 columns (0), NR 12 rows (1), MWID 16 bits (1), NB 4 banks, CAS 2, SDCLK = HCLK/2, read burst */
    FMC_SDCR1 = (0u << 0) | (1u << 2) | (1u << 4) | (1u << 6) | (2u << 7) | (2u << 10) | (1u << 12);
    /* cycles - 1: TMRD 2, TXSR 8 (70 ns), TRAS 5 (42 ns), TRC 7 (60 ns), TWR 2, TRP 2 (18 ns), TRCD 2 (18 ns) */
    FMC_SDTR1 = (1u << 0) | (7u << 4) | (4u << 8) | (6u << 12) | (1u << 16) | (1u << 20) | (1u << 24);

    sdram_command(1u, 1u, 0u);     /* clock configuration enable */
    spin(30000u);                  /* >= 100 us of stable clock before the first command */
    sdram_command(2u, 1u, 0u);     /* precharge all */
    sdram_command(3u, 8u, 0u);     /* 8 auto-refresh cycles */
    sdram_command(4u, 1u, 0x220u); /* mode register: burst 1, sequential, CAS 2, single-location writes */
    /* 64 ms / 4096 rows = 15.625 us x 108 MHz = 1687 cycles, less 20 of margin; COUNT is bits 13:1 */
    FMC_SDRTR = 1667u << 1;
}

static void qspi_wait_done(void)
{
    while ((QSPI_SR & QSPI_SR_TCF) == 0u) {
    }
    QSPI_FCR = QSPI_SR_TCF;
    while ((QSPI_SR & QSPI_SR_BUSY) != 0u) {
    }
}

static void qspi_init(void)
{
    enum { PB = 1u, PD = 3u, PE = 4u };
    pin_af(PB, 2u, 9u);  /* CLK */
    pin_af(PB, 6u, 10u); /* BK1_NCS */
    pin_af(PD, 11u, 9u); /* BK1_IO0 */
    pin_af(PD, 12u, 9u); /* BK1_IO1 */
    pin_af(PE, 2u, 9u);  /* BK1_IO2 */
    pin_af(PD, 13u, 9u); /* BK1_IO3 */

    /* FSIZE 23: 2^24 bytes; CSHT 1: chip select high for 2 cycles between commands */
    QSPI_DCR = (23u << 16) | (1u << 8);
    QSPI_CR = (2u << 24) | 1u; /* prescaler 2: 216 / 3 = 72 MHz; enable */

    /* reset enable (0x66) then reset memory (0x99): instruction on one line, no address, no data */
    QSPI_CCR = 0x66u | (1u << 8);
    qspi_wait_done();
    QSPI_CCR = 0x99u | (1u << 8);
    qspi_wait_done();
    spin(20000u); /* the flash's reset recovery time */

    /* memory-mapped (FMODE 3): 0x6B, IMODE 1 line, ADMODE 1 line, ADSIZE 24 bits, DCYC 8, DMODE 4 lines */
    QSPI_CCR = 0x6Bu | (1u << 8) | (1u << 10) | (2u << 12) | (8u << 18) | (3u << 24) | (3u << 26);
}

/* MPU region 0: the 8 MB of SDRAM as normal memory, write-back read/write-allocate, full access, no code. */
static void sdram_mpu(void)
{
    MPU_RNR = 0u;
    MPU_RBAR = 0xC0000000u;
    MPU_RASR = (1u << 28) | (3u << 24) | (1u << 19) | (1u << 17) | (1u << 16) | (22u << 1) | 1u;
    MPU_CTRL = (1u << 2) | 1u; /* PRIVDEFENA: the default map elsewhere; enable */
    __asm__ volatile("dsb 0xF" ::: "memory");
    __asm__ volatile("isb 0xF" ::: "memory");
}

void board_external_memory_init(void)
{
    RCC_AHB1ENR |= 0xFEu; /* GPIOB..GPIOH */
    RCC_AHB3ENR |= RCC_AHB3ENR_FMCEN | RCC_AHB3ENR_QSPIEN;
    (void)RCC_AHB3ENR;
    sdram_mpu();
    sdram_init();
    qspi_init();
}
