/*
 * ONNX GRU, float32 (utvm/rnn.h): gates z, r, h; linear_before_reset in p->flag.
 */
#include <string.h>
#include "utvm/rnn.h"

void utvm_gru_onnx_f32(const utvm_rnn_params_f32 *p, const float *x, const float *w, const float *r, const float *b,
                       const float *h0, float *y, float *y_h, void *scratch)
{
    const int32_t S = p->seq_length, B = p->batch, I = p->input_size, H = p->hidden_size;
    float *gx = (float *)scratch + (size_t)p->directions * B * H;
    float *gh = gx + (size_t)3 * H;
    for (int32_t d = 0; d < p->directions; d++) {
        const int32_t back = p->directions == 2 ? d : p->reverse;
        const float *wd = w + (size_t)d * 3 * H * I, *rd = r + (size_t)d * 3 * H * H;
        const float *wb = b != NULL ? b + (size_t)d * 6 * H : NULL, *rb = b != NULL ? wb + 3 * H : NULL;
        const int32_t f = p->act[3 * d], g = p->act[3 * d + 1];
        const float fa = p->alpha[3 * d], fb = p->beta[3 * d], ga = p->alpha[3 * d + 1], gb = p->beta[3 * d + 1];
        float *h = (float *)scratch + (size_t)d * B * H;
        for (int32_t n = 0; n < B; n++) {
            if (h0 != NULL) memcpy(h + (size_t)n * H, h0 + utvm_rnn_state_offset(p, n, d), (size_t)H * sizeof(float));
            else memset(h + (size_t)n * H, 0, (size_t)H * sizeof(float));
        }
        for (int32_t s = 0; s < S; s++) {
            const int32_t t = back ? S - 1 - s : s;
            for (int32_t n = 0; n < B; n++) {
                float *hn = h + (size_t)n * H;
                /* gx: the three gates' input sums; gh: z and r's recurrent sums, then Rh h + Rbh (linear before
                   reset) or r * h (before Rh is applied). */
                utvm_rnn_matvec(wd, x + utvm_rnn_x_offset(p, t, n), 3 * H, I, wb, gx);
                utvm_rnn_matvec(rd, hn, (p->flag ? 3 : 2) * H, H, rb, gh);
                for (int32_t j = 0; j < H; j++) {
                    gx[j] = utvm_rnn_activate(f, fa, fb, utvm_rnn_clip(p->clip, gx[j] + gh[j]));             /* z */
                    gx[H + j] = utvm_rnn_activate(f, fa, fb, utvm_rnn_clip(p->clip, gx[H + j] + gh[H + j])); /* r */
                }
                if (p->flag) {
                    for (int32_t j = 0; j < H; j++) gx[2 * H + j] += gx[H + j] * gh[2 * H + j];
                } else {
                    float *rh = gh + (size_t)3 * H; /* r * h, H more floats of gh's slot */
                    for (int32_t j = 0; j < H; j++) rh[j] = gx[H + j] * hn[j];
                    utvm_rnn_matvec(rd + (size_t)2 * H * H, rh, H, H, rb != NULL ? rb + 2 * H : NULL, gh + 2 * H);
                    for (int32_t j = 0; j < H; j++) gx[2 * H + j] += gh[2 * H + j];
                }
                for (int32_t j = 0; j < H; j++) {
                    const float nj = utvm_rnn_activate(g, ga, gb, utvm_rnn_clip(p->clip, gx[2 * H + j]));
                    hn[j] = (1.0f - gx[j]) * nj + gx[j] * hn[j];
                }
                if (y != NULL) memcpy(y + utvm_rnn_y_offset(p, t, d, n), hn, (size_t)H * sizeof(float));
            }
        }
        if (y_h != NULL) {
            for (int32_t n = 0; n < B; n++) memcpy(y_h + utvm_rnn_state_offset(p, n, d), h + (size_t)n * H, (size_t)H * sizeof(float));
        }
    }
}
