/*
 * batch.c: batch mode (see batch.h).
 */
#include "batch.h"

#include <string.h>

#include "board.h"
#include "console.h"

static char batch_command_line[1024];
static char batch_list[UTVM_BATCH_LIST_BYTES];

char *batch_argument(char *command_line)
{
    char *p = command_line, *previous = NULL;
    while (*p != '\0') {
        char *word;
        while (*p == ' ') p++;
        word = p;
        while (*p != '\0' && *p != ' ') p++;
        if (*p != '\0') *p++ = '\0';
        if (previous != NULL && strcmp(previous, "--batch") == 0 && word[0] != '\0') return word;
        previous = word;
    }
    return NULL;
}

int batch_split_paths(char *line, char **paths, int max)
{
    size_t len = strlen(line);
    int n = 0;
    if (len > 0 && line[len - 1] == '\r') line[--len] = '\0';
    if (len == 0) return 0;
    while (line != NULL) {
        if (n == max) return -1;
        paths[n++] = line;
        line = strchr(line, '\t');
        if (line != NULL) *line++ = '\0';
    }
    return n;
}

static void fail_line(const batch_model *m, const char *line)
{
    console_put_str("error: a batch line needs ");
    console_put_i32(m->num_inputs);
    console_put_str(" input and ");
    console_put_i32(m->num_outputs);
    console_put_str(" output paths, tab-separated: ");
    console_put_str(line);
    console_put_str("\n");
    board_exit(1);
}

static void run_list(const batch_model *m, const char *list)
{
    const int paths = (int)(m->num_inputs + m->num_outputs);
    const int most = paths + (m->arena != NULL ? 1 : 0);
    char *line, *next;
    int32_t i;
    memset(batch_list, 0, sizeof batch_list);
    if (board_read_file(list, batch_list, sizeof batch_list - 1) != 0) console_fail("cannot read batch list ", list);
    for (line = batch_list; *line != '\0'; line = next) {
        int n;
        next = strchr(line, '\n');
        if (next != NULL) *next++ = '\0';
        else next = line + strlen(line);
        for (i = 0; i < most; i++) m->paths[i] = NULL;
        n = batch_split_paths(line, m->paths, most);
        if (n == 0) continue;
        if (n < paths) fail_line(m, line);
        for (i = 0; i < m->num_inputs; i++) {
            if (board_read_file(m->paths[i], m->inputs[i], m->input_bytes[i]) != 0) console_fail("cannot read input file ", m->paths[i]);
        }
        if (m->run() != 0) console_fail("the model failed to run", "");
        for (i = 0; i < m->num_outputs; i++) {
            const char *path = m->paths[m->num_inputs + i];
            if (board_write_file(path, m->outputs[i], m->output_bytes[i]) != 0) console_fail("cannot write output file ", path);
        }
        if (n > paths && board_write_file(m->paths[paths], m->arena, m->arena_bytes) != 0) console_fail("cannot write arena file ", m->paths[paths]);
    }
}

int batch_main(const batch_model *model)
{
    const char *list;
    if (board_command_line(batch_command_line, sizeof batch_command_line - 1) != 0) return -1;
    list = batch_argument(batch_command_line);
    if (list == NULL) return -1;
    run_list(model, list);
    return 0;
}
