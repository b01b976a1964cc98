/*
 * ONNX RNN, float32 (utvm/rnn.h): h = f(clip(W x + Wb + R h + Rb)) per step and direction.
 */
#include <string.h>
#include "utvm/rnn.h"

void utvm_rnn_onnx_f32(const utvm_rnn_params_f32 *p, const float *x, const float *w, const float *r, const float *b,
                       const float *h0, float *y, float *y_h, void *scratch)
{
    const int32_t S = p->seq_length, B = p->batch, I = p->input_size, H = p->hidden_size;
    float *gx = (float *)scratch + (size_t)p->directions * B * H;
    float *gh = gx + H;
    for (int32_t d = 0; d < p->directions; d++) {
        const int32_t back = p->directions == 2 ? d : p->reverse;
        const float *wd = w + (size_t)d * H * I, *rd = r + (size_t)d * H * H;
        const float *wb = b != NULL ? b + (size_t)d * 2 * H : NULL, *rb = b != NULL ? wb + H : NULL;
        const int32_t fn = p->act[3 * d];
        const float alpha = p->alpha[3 * d], beta = p->beta[3 * d];
        float *h = (float *)scratch + (size_t)d * B * H;
        for (int32_t n = 0; n < B; n++) {
            if (h0 != NULL) memcpy(h + (size_t)n * H, h0 + utvm_rnn_state_offset(p, n, d), (size_t)H * sizeof(float));
            else memset(h + (size_t)n * H, 0, (size_t)H * sizeof(float));
        }
        for (int32_t s = 0; s < S; s++) {
            const int32_t t = back ? S - 1 - s : s;
            for (int32_t n = 0; n < B; n++) {
                float *hn = h + (size_t)n * H;
                utvm_rnn_matvec(wd, x + utvm_rnn_x_offset(p, t, n), H, I, wb, gx);
                utvm_rnn_matvec(rd, hn, H, H, rb, gh);
                for (int32_t j = 0; j < H; j++) hn[j] = utvm_rnn_activate(fn, alpha, beta, utvm_rnn_clip(p->clip, gx[j] + gh[j]));
                if (y != NULL) memcpy(y + utvm_rnn_y_offset(p, t, d, n), hn, (size_t)H * sizeof(float));
            }
        }
        if (y_h != NULL) {
            for (int32_t n = 0; n < B; n++) memcpy(y_h + utvm_rnn_state_offset(p, n, d), h + (size_t)n * H, (size_t)H * sizeof(float));
        }
    }
}
