/*
 * main() on the Cortex-M7: the startup code calls main(void); the arguments come from the board's command
 * line (semihosting on qemu-mps2-an500), split at spaces, and go to app_main like a host's argv.
 */
#include <stddef.h>

#include "board.h"

#define MAX_ARGS 8

int app_main(int argc, char **argv);

int main(void)
{
    static char line[512];
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    char *p = line;
    board_init();
    if (board_command_line(line, sizeof line) != 0) line[0] = '\0';
    while (*p != '\0' && argc < MAX_ARGS) {
        while (*p == ' ') *p++ = '\0';
        if (*p == '\0') break;
        argv[argc++] = p;
        while (*p != '\0' && *p != ' ') p++;
    }
    argv[argc] = NULL;
    return app_main(argc, argv);
}
