/*
 * The board API (boards/common/board.h) on the host, with stdio: the same application code runs on a PC
 * and on the Cortex-M7 (where boards/qemu-mps2-an500/board.c or your own board code provides it).
 */
#include <stdio.h>
#include <stdlib.h>

#include "board.h"

int app_main(int argc, char **argv);

const uint32_t board_cycle_scale = 1u;
const char board_cycle_unit[] = "ticks";

void board_init(void) {}

void board_write(const char *text, size_t n)
{
    fwrite(text, 1, n, stdout);
}

uint32_t board_cycles(void)
{
    return 0u;
}

/* Reads exactly `bytes` bytes: a file of another size is refused. */
int board_read_file(const char *path, void *dst, size_t bytes)
{
    FILE *f = fopen(path, "rb");
    size_t got;
    int extra;
    if (f == NULL) return -1;
    got = fread(dst, 1, bytes, f);
    extra = fgetc(f);
    fclose(f);
    return got == bytes && extra == EOF ? 0 : -1;
}

int board_write_file(const char *path, const void *src, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (f == NULL) return -1;
    ok = fwrite(src, 1, bytes, f) == bytes;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int board_command_line(char *buf, size_t size)
{
    (void)buf;
    (void)size;
    return -1;
}

void board_exit(int code)
{
    exit(code);
}

int main(int argc, char **argv)
{
    board_init();
    return app_main(argc, argv);
}
