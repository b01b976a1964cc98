/*
 * board.c: the board API (board.h) for the STM32F746 boards. What differs between boards — the HSE
 * source and PLL factors, the console USART and its pins — comes from the board's board_config.h.
 *
 * board_init(): clock tree to 216 MHz, I- and D-cache on, console USART at BOARD_CONSOLE_BAUD 8N1, DWT
 * cycle counter running. No interrupts are used. No file system and no command line: the firmware runs
 * the sample input compiled into flash.
 */
#include "board.h"
#include "board_config.h"
#include "stm32f7_regs.h"

const uint32_t board_cycle_scale = 1u;
const char board_cycle_unit[] = "cycles";

/*
 * RM0385 §5.2 (clock tree) and §3.3.2 (flash wait states); the order matters:
 *   1. PWR clock on, regulator voltage scale 1 (needed above 180 MHz);
 *   2. HSE on (bypass: an external clock from the ST-LINK MCO; else the crystal), wait until ready;
 *   3. PLL from HSE: VCO input = HSE / M = 1 or 2 MHz, VCO = x N = 432 MHz, SYSCLK = VCO / P = 216 MHz,
 *      48 MHz clock = VCO / Q; PLL on;
 *   4. over-drive on and switched in (PWR §4.1.4: needed above 180 MHz), while the PLL locks;
 *   5. flash: 7 wait states (216 MHz at 2.7-3.6 V, RM0385 Table 7), ART accelerator reset then on, prefetch;
 *   6. AHB /1 (216 MHz), APB1 /4 (54 MHz), APB2 /2 (108 MHz); then SYSCLK switched to the PLL.
 */
static void clock_init(void)
{
    RCC_APB1ENR |= RCC_APB1ENR_PWREN;
    (void)RCC_APB1ENR; /* read back: the clock is on before PWR is written */
    PWR_CR1 = (PWR_CR1 & ~PWR_CR1_VOS_MASK) | (3u << PWR_CR1_VOS_SHIFT);

    if (BOARD_HSE_BYPASS) RCC_CR |= RCC_CR_HSEBYP;
    RCC_CR |= RCC_CR_HSEON;
    while ((RCC_CR & RCC_CR_HSERDY) == 0u) {
    }

    RCC_CR &= ~RCC_CR_PLLON;
    while ((RCC_CR & RCC_CR_PLLRDY) != 0u) {
    }
    RCC_PLLCFGR = (BOARD_PLL_M << RCC_PLLCFGR_PLLM_SHIFT) | (BOARD_PLL_N << RCC_PLLCFGR_PLLN_SHIFT) |
                  ((BOARD_PLL_P / 2u - 1u) << RCC_PLLCFGR_PLLP_SHIFT) | RCC_PLLCFGR_PLLSRC_HSE |
                  (BOARD_PLL_Q << RCC_PLLCFGR_PLLQ_SHIFT);
    RCC_CR |= RCC_CR_PLLON;

    PWR_CR1 |= PWR_CR1_ODEN;
    while ((PWR_CSR1 & PWR_CSR1_ODRDY) == 0u) {
    }
    PWR_CR1 |= PWR_CR1_ODSWEN;
    while ((PWR_CSR1 & PWR_CSR1_ODSWRDY) == 0u) {
    }
    while ((RCC_CR & RCC_CR_PLLRDY) == 0u) {
    }

    FLASH_ACR = (FLASH_ACR & ~(FLASH_ACR_LATENCY_MASK | FLASH_ACR_ARTEN)) | 7u;
    FLASH_ACR |= FLASH_ACR_ARTRST;
    FLASH_ACR &= ~FLASH_ACR_ARTRST;
    FLASH_ACR |= FLASH_ACR_ARTEN | FLASH_ACR_PRFTEN;
    while ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != 7u) {
    }

    RCC_CFGR = (RCC_CFGR & ~(RCC_CFGR_HPRE_MASK | RCC_CFGR_PPRE1_MASK | RCC_CFGR_PPRE2_MASK)) |
               RCC_CFGR_PPRE1_DIV4 | RCC_CFGR_PPRE2_DIV2;
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL;
    while ((RCC_CFGR & RCC_CFGR_SWS_MASK) != RCC_CFGR_SWS_PLL) {
    }
}

/*
 * Cortex-M7 generic user guide §4.8.7/§4.8.8: invalidate each cache before enabling it. The D-cache is
 * invalidated line by line by set/way (CCSIDR gives the geometry: 4 ways, 32-byte lines).
 */
static void cache_init(void)
{
    uint32_t ccsidr, sets, ways, set, way;

    DSB();
    ISB();
    SCB_ICIALLU = 0u;
    DSB();
    ISB();
    SCB_CCR |= SCB_CCR_IC;
    DSB();
    ISB();

    SCB_CSSELR = 0u; /* level 1 data cache */
    DSB();
    ccsidr = SCB_CCSIDR;
    sets = SCB_CCSIDR_SETS(ccsidr);
    ways = SCB_CCSIDR_WAYS(ccsidr);
    for (set = 0u; set <= sets; set++) {
        for (way = 0u; way <= ways; way++) {
            SCB_DCISW = (set << SCB_DCISW_SET_SHIFT) | (way << SCB_DCISW_WAY_SHIFT);
        }
    }
    DSB();
    SCB_CCR |= SCB_CCR_DC;
    DSB();
    ISB();
}

/* One GPIO pin as alternate function `af`: push-pull, high speed, pull-up. */
static void pin_alternate(uint32_t port, uint32_t pin, uint32_t af)
{
    uint32_t shift2 = pin * 2u, shift4 = (pin % 8u) * 4u;
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << shift2)) | (GPIO_MODE_AF << shift2);
    GPIO_OTYPER(port) &= ~(1u << pin);
    GPIO_OSPEEDR(port) = (GPIO_OSPEEDR(port) & ~(3u << shift2)) | (GPIO_SPEED_HIGH << shift2);
    GPIO_PUPDR(port) = (GPIO_PUPDR(port) & ~(3u << shift2)) | (GPIO_PULL_UP << shift2);
    GPIO_AFR(port, pin) = (GPIO_AFR(port, pin) & ~(0xFu << shift4)) | (af << shift4);
}

/* RM0385 §31.5: 8 data bits, no parity, 1 stop bit (CR1/CR2 reset values), 16x oversampling. */
static void console_init(void)
{
    RCC_AHB1ENR |= BOARD_GPIO_CLOCKS;
    (void)RCC_AHB1ENR;
    pin_alternate(BOARD_TX_PORT, BOARD_TX_PIN, BOARD_CONSOLE_AF);
    pin_alternate(BOARD_RX_PORT, BOARD_RX_PIN, BOARD_CONSOLE_AF);
    BOARD_CONSOLE_CLOCK_ENABLE();
    USART_CR1(BOARD_CONSOLE_USART) = 0u;
    USART_CR2(BOARD_CONSOLE_USART) = 0u;
    USART_CR3(BOARD_CONSOLE_USART) = 0u;
    USART_BRR(BOARD_CONSOLE_USART) = (BOARD_CONSOLE_PCLK_HZ + BOARD_CONSOLE_BAUD / 2u) / BOARD_CONSOLE_BAUD;
    USART_CR1(BOARD_CONSOLE_USART) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE;
}

/* ARMv7-M ARM §C1.8: DWT needs TRCENA; the Cortex-M7 also locks DWT until the LAR key is written. */
static void cycle_counter_init(void)
{
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = DWT_LAR_UNLOCK;
    DWT_CYCCNT = 0u;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
}

#if defined(BOARD_EXTERNAL_MEMORY) && BOARD_EXTERNAL_MEMORY
void board_external_memory_init(void); /* the board's external_memory.c: SDRAM and QSPI, before the caches */
#endif

void board_init(void)
{
    clock_init();
#if defined(BOARD_EXTERNAL_MEMORY) && BOARD_EXTERNAL_MEMORY
    board_external_memory_init();
#endif
    cache_init();
    console_init();
    cycle_counter_init();
}

static void put_byte(char c)
{
    while ((USART_ISR(BOARD_CONSOLE_USART) & USART_ISR_TXE) == 0u) {
    }
    USART_TDR(BOARD_CONSOLE_USART) = (uint8_t)c;
}

void board_write(const char *text, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (text[i] == '\n') put_byte('\r');
        put_byte(text[i]);
    }
}

uint32_t board_cycles(void)
{
    return DWT_CYCCNT;
}

void board_cycles_align(void)
{
    /* DWT CYCCNT counts every core cycle: any moment is a tick edge */
}

int board_read_file(const char *path, void *dst, size_t bytes)
{
    (void)path;
    (void)dst;
    (void)bytes;
    return -1;
}

int board_write_file(const char *path, const void *src, size_t bytes)
{
    (void)path;
    (void)src;
    (void)bytes;
    return -1;
}

int board_command_line(char *buf, size_t size)
{
    (void)buf;
    (void)size;
    return -1;
}

/* Waits for the last byte to leave the USART, then idles: there is nothing to return to. */
void board_exit(int code)
{
    (void)code;
    while ((USART_ISR(BOARD_CONSOLE_USART) & USART_ISR_TC) == 0u) {
    }
    for (;;) {
        __asm__ volatile("wfi");
    }
}
