/*
 * The board C API: what the firmware main.c needs from a board. Every MCU and emulator board implements
 * it in its own board/board.c; the same declarations on every board.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Clocks, caches, console and cycle counter (the FPU is enabled in the reset handler). */
void board_init(void);

/* Writes n bytes of text to the console. */
void board_write(const char *text, size_t n);

/* Free-running counter; wraps. Elapsed counts are differences of two readings (unsigned). */
uint32_t board_cycles(void);

/* Counter ticks -> board_cycle_unit: 1 on STM32 (DWT CYCCNT), 40 on QEMU (25 MHz timer, 1 ns/instruction). */
extern const uint32_t board_cycle_scale;

/* "cycles" or "instructions". */
extern const char board_cycle_unit[];

/* Reads a whole file into dst (bytes = capacity). 0 ok; -1 not supported or failed. */
int board_read_file(const char *path, void *dst, size_t bytes);

/* Writes bytes from src to a new file. 0 ok; -1 not supported or failed. */
int board_write_file(const char *path, const void *src, size_t bytes);

/* Copies the command line (NUL-terminated) into buf. 0 ok; -1 none or not supported. */
int board_command_line(char *buf, size_t size);

/* Ends the program with an exit code (the emulator exits; real hardware stops). */
void board_exit(int code);

#endif /* BOARD_H */
