/*
 * board_config.h: NUCLEO-F746ZG (ST UM1974). Used by board.c (boards/common/stm32f7/board.c).
 */
#ifndef BOARD_CONFIG_H
#define BOARD_CONFIG_H

#include "stm32f7_regs.h"

/* HSE: the 8 MHz MCO output of the on-board ST-LINK, an external clock (bypass mode, UM1974 §6.7.1). */
#define BOARD_HSE_HZ 8000000u
#define BOARD_HSE_BYPASS 1
/* PLL: 8 MHz / M=4 = 2 MHz VCO input, x N=216 = 432 MHz VCO, / P=2 = 216 MHz SYSCLK, / Q=9 = 48 MHz. */
#define BOARD_PLL_M 4u
#define BOARD_PLL_N 216u
#define BOARD_PLL_P 2u
#define BOARD_PLL_Q 9u

/* Console: USART3 on PD8 (TX) / PD9 (RX), AF7, wired to the ST-LINK virtual COM port (UM1974 §6.9). */
#define BOARD_CONSOLE_USART USART3_BASE_ADDR
#define BOARD_CONSOLE_PCLK_HZ 54000000u /* APB1 = 216 MHz / 4 */
#define BOARD_CONSOLE_BAUD 115200u
#define BOARD_CONSOLE_AF 7u
#define BOARD_CONSOLE_CLOCK_ENABLE() (RCC_APB1ENR |= RCC_APB1ENR_USART3EN, (void)RCC_APB1ENR)
#define BOARD_GPIO_CLOCKS RCC_AHB1ENR_GPIODEN
#define BOARD_TX_PORT 3u /* D */
#define BOARD_TX_PIN 8u
#define BOARD_RX_PORT 3u
#define BOARD_RX_PIN 9u

#endif /* BOARD_CONFIG_H */
