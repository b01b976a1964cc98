/*
 * board.h: the board API every utvm-aot MCU or emulator board implements in its board.c (one header for all
 * boards: boards/common/board.h). The firmware main.c (templates/project/firmware/main.c.hbs) and the
 * board-independent C beside it (console.c, batch.c) use nothing else of the board.
 */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Clocks, caches, console, cycle counter. The FPU is already enabled by the reset handler. */
void board_init(void);

/* Writes n bytes of text to the console (blocking). */
void board_write(const char *text, size_t n);

/* A free-running counter; wraps around. Differences of two readings are exact modulo 2^32. */
uint32_t board_cycles(void);

/*
 * Waits until the counter has just stepped, to the instruction, so a timed run that starts right after it
 * starts at the same phase of the counter every time (a coarse counter, QEMU's 40-instruction timer tick,
 * then gives the same count for the same code). A counter of single cycles needs no waiting.
 */
void board_cycles_align(void);

/* One counter tick = board_cycle_scale units of board_cycle_unit ("cycles" or "instructions"). */
extern const uint32_t board_cycle_scale;
extern const char board_cycle_unit[];

/* Host file access (emulators through semihosting): 0 on success, -1 when unsupported or failed. */
int board_read_file(const char *path, void *dst, size_t bytes);
int board_write_file(const char *path, const void *src, size_t bytes);

/* The command line given to the firmware, NUL-terminated in buf: 0 on success, -1 when there is none. */
int board_command_line(char *buf, size_t size);

/* Ends the program: leaves the emulator with `code`; on a real board, stops in a breakpoint/idle loop. */
void board_exit(int code);

#endif /* BOARD_H */
