/*
 * ONNX recurrent layers, float32: RNN, GRU and LSTM as the ONNX operators define them (one kernel per cell;
 * forward, reverse and bidirectional by parameters).
 *
 * Tensors (S steps, B batches, I inputs, H hidden units, D directions, G gates: 1 RNN, 3 GRU, 4 LSTM):
 *   x   [S, B, I] (layout 0) or [B, S, I] (layout 1)
 *   w   [D, G*H, I], r [D, G*H, H]: the gates' input and recurrent weights, in ONNX's gate order
 *       (LSTM i, o, f, c; GRU z, r, h)
 *   b   [D, 2*G*H]: the input biases then the recurrent biases; NULL for none (zero)
 *   h0, c0: initial hidden / cell state [D, B, H] (layout 0) or [B, D, H] (layout 1); NULL for zeros
 *   p   (LSTM) peephole weights [D, 3*H] in the order i, o, f; NULL for none
 *   y   [S, D, B, H] (layout 0) or [B, S, D, H] (layout 1): h at every step; NULL when not wanted
 *   y_h, y_c: the last hidden / cell state, shaped like h0; NULL when not wanted
 * Direction d of a bidirectional layer (D = 2) runs forward for d = 0 and backward for d = 1; with D = 1,
 * `reverse` runs the one direction backward. Each direction starts from its own row of h0 (c0).
 *
 * One step of direction d, for each batch row, with f, g, h the direction's activations and
 * clip(v) = min(max(v, -clip), clip) when clip > 0 (applied to every activation's input):
 *   RNN:  h = f(clip(W x + Wb + R h + Rb))
 *   GRU:  z = f(clip(Wz x + Wbz + Rz h + Rbz)), r likewise;
 *         linear_before_reset = 0: n = g(clip(Wh x + Wbh + Rh (r * h) + Rbh))
 *         linear_before_reset = 1: n = g(clip(Wh x + Wbh + r * (Rh h + Rbh)))
 *         h = (1 - z) * n + z * h
 *   LSTM: i = f(clip(Wi x + Wbi + Ri h + Rbi + Pi * c)); f' likewise with Pf (or 1 - i when input_forget);
 *         n = g(clip(Wc x + Wbc + Rc h + Rbc)); c = f' * c + i * n;
 *         o = f(clip(Wo x + Wbo + Ro h + Rbo + Po * c)) (the new c); h = o * h(c)
 *
 * Scratch (utvm_rnn_onnx_f32_scratch_bytes): the state h (and c) of every direction, [D, B, H] each,
 * then one batch row's gate sums: input [G*H], recurrent [G*H] and H more (GRU: r * h).
 */
#ifndef UTVM_RNN_H
#define UTVM_RNN_H

#include <math.h>
#include "utvm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Activation functions, ONNX names. */
enum {
    UTVM_RNN_RELU = 0,
    UTVM_RNN_TANH = 1,
    UTVM_RNN_SIGMOID = 2,
    UTVM_RNN_AFFINE = 3,            /* alpha x + beta */
    UTVM_RNN_LEAKY_RELU = 4,        /* x >= 0 ? x : alpha x */
    UTVM_RNN_THRESHOLDED_RELU = 5,  /* x > alpha ? x : 0 */
    UTVM_RNN_SCALED_TANH = 6,       /* alpha tanh(beta x) */
    UTVM_RNN_HARD_SIGMOID = 7,      /* max(0, min(1, alpha x + beta)) */
    UTVM_RNN_ELU = 8,               /* x >= 0 ? x : alpha (e^x - 1) */
    UTVM_RNN_SOFTSIGN = 9,          /* x / (1 + |x|) */
    UTVM_RNN_SOFTPLUS = 10          /* log(1 + e^x) */
};

typedef struct {
    /* S, B, I, H. Range: >= 1. */
    int32_t seq_length;
    int32_t batch;
    int32_t input_size;
    int32_t hidden_size;
    /* D: 1 or 2. */
    int32_t directions;
    /* 1: the single direction runs backward (ONNX direction "reverse"). */
    int32_t reverse;
    /* 0: x [S, B, I]; 1: x [B, S, I] (and the outputs and states likewise, see above). */
    int32_t layout;
    /* LSTM: input_forget; GRU: linear_before_reset; RNN: 0. */
    int32_t flag;
    /* > 0: the activations' inputs are clipped to [-clip, clip]; 0: no clip. */
    float clip;
    /* Activation slots of direction d: act[3 d + k], k = f, g, h (unused slots 0), with their alpha / beta. */
    int32_t act[6];
    float alpha[6];
    float beta[6];
} utvm_rnn_params_f32;

static inline float utvm_rnn_activate(int32_t fn, float alpha, float beta, float x)
{
    switch (fn) {
    case UTVM_RNN_RELU: return x > 0.0f ? x : 0.0f;
    case UTVM_RNN_TANH: return tanhf(x);
    case UTVM_RNN_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case UTVM_RNN_AFFINE: return alpha * x + beta;
    case UTVM_RNN_LEAKY_RELU: return x >= 0.0f ? x : alpha * x;
    case UTVM_RNN_THRESHOLDED_RELU: return x > alpha ? x : 0.0f;
    case UTVM_RNN_SCALED_TANH: return alpha * tanhf(beta * x);
    case UTVM_RNN_HARD_SIGMOID: {
        float v = alpha * x + beta;
        return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    }
    case UTVM_RNN_ELU: return x >= 0.0f ? x : alpha * (expf(x) - 1.0f);
    case UTVM_RNN_SOFTSIGN: return x / (1.0f + fabsf(x));
    default: return log1pf(expf(x)); /* UTVM_RNN_SOFTPLUS */
    }
}

/* Element offset of (batch b, direction d) in a state tensor (h0, c0, y_h, y_c). */
static inline int32_t utvm_rnn_state_offset(const utvm_rnn_params_f32 *p, int32_t b, int32_t d)
{
    return (p->layout ? b * p->directions + d : d * p->batch + b) * p->hidden_size;
}

/* Element offset of x's row (step t, batch b). */
static inline int32_t utvm_rnn_x_offset(const utvm_rnn_params_f32 *p, int32_t t, int32_t b)
{
    return (p->layout ? b * p->seq_length + t : t * p->batch + b) * p->input_size;
}

/* Element offset of y's row (step t, direction d, batch b). */
static inline int32_t utvm_rnn_y_offset(const utvm_rnn_params_f32 *p, int32_t t, int32_t d, int32_t b)
{
    return (p->layout ? (b * p->seq_length + t) * p->directions + d : (t * p->directions + d) * p->batch + b) * p->hidden_size;
}

/* out[j] = (bias ? bias[j] : 0) + w[j] . v, j < n, w [n, depth]. */
static inline void utvm_rnn_matvec(const float *w, const float *v, int32_t n, int32_t depth, const float *bias, float *out)
{
    for (int32_t j = 0; j < n; j++) {
        const float *row = w + (size_t)j * (size_t)depth;
        float acc = 0.0f;
        for (int32_t k = 0; k < depth; k++) acc += row[k] * v[k];
        out[j] = bias != NULL ? acc + bias[j] : acc;
    }
}

static inline float utvm_rnn_clip(float clip, float v)
{
    if (clip <= 0.0f) return v;
    return v < -clip ? -clip : (v > clip ? clip : v);
}

static inline int32_t utvm_rnn_onnx_f32_scratch_bytes(int32_t directions, int32_t batch, int32_t hidden, int32_t gates, int32_t states)
{
    return 4 * (states * directions * batch * hidden + (2 * gates + 1) * hidden);
}

void utvm_rnn_onnx_f32(const utvm_rnn_params_f32 *p, const float *x, const float *w, const float *r, const float *b,
                       const float *h0, float *y, float *y_h, void *scratch);
void utvm_gru_onnx_f32(const utvm_rnn_params_f32 *p, const float *x, const float *w, const float *r, const float *b,
                       const float *h0, float *y, float *y_h, void *scratch);
void utvm_lstm_onnx_f32(const utvm_rnn_params_f32 *p, const float *x, const float *w, const float *r, const float *b,
                        const float *h0, const float *c0, const float *peep, float *y, float *y_h, float *y_c,
                        void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* UTVM_RNN_H */
