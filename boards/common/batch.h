/*
 * batch.h: batch mode of the firmware on boards with host files (board.json "kind": "emulator", files
 * through semihosting). Started with `--batch LIST` on its command line, the firmware runs one inference
 * per line of the host file LIST: each line holds the model's input file paths then its output file
 * paths, tab-separated (a trailing '\r' is dropped, empty lines are skipped); inputs are raw bytes of
 * the exact size, outputs are written as raw bytes. Any failure prints `error: ...` (console.h) and ends
 * the program with status 1. src/run/qemu.ts writes the list and reads the outputs.
 * Debug builds (-DUTVM_DEBUG, a model compiled with debugTensors) give the model's arena: a line may then
 * end with one more path, where the whole arena is written after that case (src/run/debug.ts).
 */
#ifndef BATCH_H
#define BATCH_H

#include <stddef.h>
#include <stdint.h>

/* The batch list is read whole: 1 MiB holds the paths of several thousand cases (src/run/qemu.ts checks). */
#ifndef UTVM_BATCH_LIST_BYTES
#define UTVM_BATCH_LIST_BYTES (1u << 20)
#endif

/* What batch mode needs of the model: its buffers (filled / read in place) and one inference. */
typedef struct {
    int32_t num_inputs;
    int32_t num_outputs;
    void *const *inputs;          /* num_inputs buffers */
    const uint32_t *input_bytes;  /* their exact sizes */
    const void *const *outputs;   /* num_outputs buffers */
    const uint32_t *output_bytes;
    char **paths;                 /* scratch for num_inputs + num_outputs paths, + 1 with an arena */
    int (*run)(void);             /* one inference on the inputs: 0 on success */
    const void *arena;            /* NULL, or the arena a line's extra path receives (debug builds) */
    uint32_t arena_bytes;
} batch_model;

/*
 * When the command line (board_command_line) holds `--batch LIST`: runs every case of LIST and returns
 * 0. Without a command line or without `--batch`: returns -1 and does nothing (sample mode).
 */
int batch_main(const batch_model *model);

/* The word after `--batch` in command_line (split in place at spaces), or NULL. */
char *batch_argument(char *command_line);

/* Splits line in place at tabs into at most max paths: their count, 0 for an empty line, -1 for too many. */
int batch_split_paths(char *line, char **paths, int max);

#endif /* BATCH_H */
