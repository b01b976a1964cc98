/*
 * ONNX LSTM, float32 (utvm/rnn.h): gates i, o, f, c; peepholes, input_forget (p->flag), clip.
 */
#include <string.h>
#include "utvm/rnn.h"

static void load_state(const utvm_rnn_params_f32 *p, const float *from, int32_t d, float *state)
{
    const int32_t H = p->hidden_size;
    for (int32_t n = 0; n < p->batch; n++) {
        if (from != NULL) memcpy(state + (size_t)n * H, from + utvm_rnn_state_offset(p, n, d), (size_t)H * sizeof(float));
        else memset(state + (size_t)n * H, 0, (size_t)H * sizeof(float));
    }
}

static void store_state(const utvm_rnn_params_f32 *p, const float *state, int32_t d, float *to)
{
    const int32_t H = p->hidden_size;
    if (to == NULL) return;
    for (int32_t n = 0; n < p->batch; n++) memcpy(to + utvm_rnn_state_offset(p, n, d), state + (size_t)n * H, (size_t)H * sizeof(float));
}

void utvm_lstm_onnx_f32(const utvm_rnn_params_f32 *p, const float *x, const float *w, const float *r, const float *b,
                        const float *h0, const float *c0, const float *peep, float *y, float *y_h, float *y_c,
                        void *scratch)
{
    const int32_t S = p->seq_length, B = p->batch, I = p->input_size, H = p->hidden_size, D = p->directions;
    float *gx = (float *)scratch + (size_t)2 * D * B * H;
    float *gh = gx + (size_t)4 * H;
    for (int32_t d = 0; d < D; d++) {
        const int32_t back = D == 2 ? d : p->reverse;
        const float *wd = w + (size_t)d * 4 * H * I, *rd = r + (size_t)d * 4 * H * H;
        const float *wb = b != NULL ? b + (size_t)d * 8 * H : NULL, *rb = b != NULL ? wb + 4 * H : NULL;
        const float *pd = peep != NULL ? peep + (size_t)d * 3 * H : NULL;
        const int32_t f = p->act[3 * d], g = p->act[3 * d + 1], hf = p->act[3 * d + 2];
        const float fa = p->alpha[3 * d], fb = p->beta[3 * d], ga = p->alpha[3 * d + 1], gb = p->beta[3 * d + 1];
        const float ha = p->alpha[3 * d + 2], hb = p->beta[3 * d + 2];
        float *h = (float *)scratch + (size_t)d * B * H, *c = (float *)scratch + (size_t)(D + d) * B * H;
        load_state(p, h0, d, h);
        load_state(p, c0, d, c);
        for (int32_t s = 0; s < S; s++) {
            const int32_t t = back ? S - 1 - s : s;
            for (int32_t n = 0; n < B; n++) {
                float *hn = h + (size_t)n * H, *cn = c + (size_t)n * H;
                utvm_rnn_matvec(wd, x + utvm_rnn_x_offset(p, t, n), 4 * H, I, wb, gx);
                utvm_rnn_matvec(rd, hn, 4 * H, H, rb, gh);
                for (int32_t j = 0; j < H; j++) {
                    const float pi = pd != NULL ? pd[j] * cn[j] : 0.0f, pf = pd != NULL ? pd[2 * H + j] * cn[j] : 0.0f;
                    const float ig = utvm_rnn_activate(f, fa, fb, utvm_rnn_clip(p->clip, gx[j] + gh[j] + pi));
                    const float fg = p->flag ? 1.0f - ig
                                             : utvm_rnn_activate(f, fa, fb, utvm_rnn_clip(p->clip, gx[2 * H + j] + gh[2 * H + j] + pf));
                    const float cg = utvm_rnn_activate(g, ga, gb, utvm_rnn_clip(p->clip, gx[3 * H + j] + gh[3 * H + j]));
                    const float cj = fg * cn[j] + ig * cg;
                    const float po = pd != NULL ? pd[H + j] * cj : 0.0f;
                    const float og = utvm_rnn_activate(f, fa, fb, utvm_rnn_clip(p->clip, gx[H + j] + gh[H + j] + po));
                    cn[j] = cj;
                    hn[j] = og * utvm_rnn_activate(hf, ha, hb, cj);
                }
                if (y != NULL) memcpy(y + utvm_rnn_y_offset(p, t, d, n), hn, (size_t)H * sizeof(float));
            }
        }
        store_state(p, h, d, y_h);
        store_state(p, c, d, y_c);
    }
}
