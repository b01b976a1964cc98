/*
 * board_config.h: STM32F746G-DISCO (ST UM1907). Used by board.c (boards/common/stm32f7/board.c).
 */
#ifndef BOARD_CONFIG_H
#define BOARD_CONFIG_H

#include "stm32f7_regs.h"

/* HSE: the 25 MHz crystal X2 (UM1907 §5.9), oscillator mode (no bypass). */
#define BOARD_HSE_HZ 25000000u
#define BOARD_HSE_BYPASS 0
/* PLL: 25 MHz / M=25 = 1 MHz VCO input, x N=432 = 432 MHz VCO, / P=2 = 216 MHz SYSCLK, / Q=9 = 48 MHz. */
#define BOARD_PLL_M 25u
#define BOARD_PLL_N 432u
#define BOARD_PLL_P 2u
#define BOARD_PLL_Q 9u

/* Console: USART1 on PA9 (TX) / PB7 (RX), AF7, wired to the ST-LINK virtual COM port (UM1907 §5.13). */
#define BOARD_CONSOLE_USART USART1_BASE_ADDR
#define BOARD_CONSOLE_PCLK_HZ 108000000u /* APB2 = 216 MHz / 2 */
#define BOARD_CONSOLE_BAUD 115200u
#define BOARD_CONSOLE_AF 7u
#define BOARD_CONSOLE_CLOCK_ENABLE() (RCC_APB2ENR |= RCC_APB2ENR_USART1EN, (void)RCC_APB2ENR)
#define BOARD_GPIO_CLOCKS (RCC_AHB1ENR_GPIOAEN | RCC_AHB1ENR_GPIOBEN)
#define BOARD_TX_PORT 0u /* A */
#define BOARD_TX_PIN 9u
#define BOARD_RX_PORT 1u /* B */
#define BOARD_RX_PIN 7u

/* The FMC SDRAM (8 MB at 0xC0000000) and the QSPI flash (16 MB at 0x90000000): external_memory.c. */
#define BOARD_EXTERNAL_MEMORY 1

#endif /* BOARD_CONFIG_H */
