/*
 * The passes of utvm_fully_connected_s8_pair{1,2,3}_dsp (utvm/fully_connected_s8_pair_dsp.h): inline
 * functions shared by the three kernel files, each of which keeps only its own rows-per-pass variant.
 */
#ifndef UTVM_FULLY_CONNECTED_S8_PAIR_DSP_BODY_H
#define UTVM_FULLY_CONNECTED_S8_PAIR_DSP_BODY_H

#include "utvm/fully_connected_s8.h"
#include "utvm/dsp.h"
#include "utvm/dsp_requant.h"
#include "utvm/simd_s8.h"

/* The accumulators of up to three pairs: A (feature a) and R (the packed sum) of each; registers, not an array. */
typedef struct {
    int32_t a0, r0, a1, r1, a2, r2;
} utvm_fcp_acc;

/* The input bytes row[0 .. k-1] summed (USADA8 of the bytes offset by 128, less 128 per byte). */
static inline int32_t utvm_fcp_input_sum(const int8_t *row, int32_t k)
{
    uint32_t u = 0;
    for (int32_t j = k >> 2; j > 0; j--, row += 4) u = utvm_dsp_usada8((uint32_t)utvm_dsp_read_s32(row) ^ 0x80808080u, 0, u);
    u -= 128u * (uint32_t)(k & ~3);
    for (int32_t t = 0; t < (k & 3); t++) u += (uint32_t)(int32_t)row[t];
    return (int32_t)u;
}

/* The last n (< 4) input bytes as one word, 0 in the missing lanes. */
static inline int32_t utvm_fcp_tail(const int8_t *in, int32_t n)
{
    uint32_t x = 0;
    for (int32_t j = 0; j < n; j++) x |= (uint32_t)(uint8_t)in[j] << (8 * j);
    return (int32_t)x;
}

/* One pair's two words (we: inputs 4j, 4j + 2; wo: 4j + 1, 4j + 3) against the input pairs xe, xo. */
#define UTVM_FCP_WORDS(A, R)                                         \
    do {                                                             \
        int32_t we, wo;                                              \
        utvm_dsp_load_pair(&w, &we, &wo);                            \
        R = utvm_dsp_smlad(we, xe, R);                               \
        A = utvm_dsp_smlad(utvm_dsp_sxtb16_ror8(we), xe, A);         \
        R = utvm_dsp_smlad(wo, xo, R);                               \
        A = utvm_dsp_smlad(utvm_dsp_sxtb16_ror8(wo), xo, A);         \
    } while (0)

/* One group of four inputs, as the pairs xe = (x0, x2) and xo = (x1, x3), against the P pairs' words at w. */
#define UTVM_FCP_PAIRS(P)                                            \
    do {                                                             \
        UTVM_FCP_WORDS(s.a0, s.r0);                                  \
        if ((P) > 1) UTVM_FCP_WORDS(s.a1, s.r1);                     \
        if ((P) > 2) UTVM_FCP_WORDS(s.a2, s.r2);                     \
    } while (0)

/* One input word v (four int8 inputs) against the P pairs' words at w. */
#define UTVM_FCP_GROUP(P, v)                                         \
    do {                                                             \
        const int32_t xe = utvm_dsp_sxtb16(v);                       \
        const int32_t xo = utvm_dsp_sxtb16_ror8(v);                  \
        UTVM_FCP_PAIRS(P);                                           \
    } while (0)

/* One group of the widened input at xw (the pairs xe, xo; xw advances) against the P pairs' words at w. */
#define UTVM_FCP_GROUP_WIDE(P)                                       \
    do {                                                             \
        int32_t xe, xo;                                              \
        utvm_dsp_load_pair(&xw, &xe, &xo);                           \
        UTVM_FCP_PAIRS(P);                                           \
    } while (0)

/*
 * s + the products of the k input bytes at row (or, when wide, of the widened input at xw: K4 / 2 words)
 * with the P pairs of one block of words at w; `unroll`: four groups per iteration of the wide loop (the
 * fast copy of the layer; the other keeps one, for flash).
 */
static inline __attribute__((always_inline)) utvm_fcp_acc utvm_fcp_dot(const int8_t *row, const int32_t *xw, const int32_t *w,
                                                                       int32_t k, utvm_fcp_acc s, int P, int wide, int unroll)
{
    if (wide) {
        const int32_t groups = (k + 3) >> 2;
        if (!unroll) {
            for (int32_t j = groups; j > 0; j--) UTVM_FCP_GROUP_WIDE(P);
            return s;
        }
        for (int32_t j = groups >> 2; j > 0; j--) {
            UTVM_FCP_GROUP_WIDE(P);
            UTVM_FCP_GROUP_WIDE(P);
            UTVM_FCP_GROUP_WIDE(P);
            UTVM_FCP_GROUP_WIDE(P);
        }
        for (int32_t j = groups & 3; j > 0; j--) UTVM_FCP_GROUP_WIDE(P);
        return s;
    }
    for (int32_t j = k >> 3; j > 0; j--) {
        const int32_t v0 = utvm_dsp_read_s32(row);
        const int32_t v1 = utvm_dsp_read_s32(row + 4);
        row += 8;
        UTVM_FCP_GROUP(P, v0);
        UTVM_FCP_GROUP(P, v1);
    }
    if (k & 4) {
        const int32_t v = utvm_dsp_read_s32(row);
        row += 4;
        UTVM_FCP_GROUP(P, v);
    }
    if (k & 3) {
        const int32_t v = utvm_fcp_tail(row, k & 3);
        UTVM_FCP_GROUP(P, v);
    }
    return s;
}

/* The k input bytes at row widened into xw (pairs (x0, x2), (x1, x3) of each group of four, zeros past k); returns their sum. */
static inline int32_t utvm_fcp_widen(const int8_t *row, int32_t k, int32_t *xw)
{
    int32_t sum = 0;
    for (int32_t j = k >> 2; j > 0; j--, row += 4, xw += 2) {
        const int32_t v = utvm_dsp_read_s32(row);
        xw[0] = utvm_dsp_sxtb16(v);
        xw[1] = utvm_dsp_sxtb16_ror8(v);
        sum = utvm_dsp_smlad(xw[0], 0x00010001, sum);
        sum = utvm_dsp_smlad(xw[1], 0x00010001, sum);
    }
    if (k & 3) {
        const int32_t v = utvm_fcp_tail(row, k & 3);
        xw[0] = utvm_dsp_sxtb16(v);
        xw[1] = utvm_dsp_sxtb16_ror8(v);
        sum = utvm_dsp_smlad(xw[0], 0x00010001, sum);
        sum = utvm_dsp_smlad(xw[1], 0x00010001, sum);
    }
    return sum;
}

/* Output feature n from its accumulator (out of line: the general path, kept small). */
static __attribute__((noinline, unused)) void utvm_fcp_store(const utvm_fully_connected_params_s8 *p, const utvm_fast_requant *q,
                                  const int32_t *multipliers, const int32_t *shifts, int32_t acc, int32_t n, int8_t *out)
{
    if (multipliers != NULL) {
        const utvm_fast_requant own = utvm_fast_requant_of(multipliers[n], shifts[n]);
        out[n] = utvm_fast_clamp_s8(utvm_fast_requantize(acc, &own), p->output_offset, p->act_min, p->act_max);
    } else {
        out[n] = utvm_fast_clamp_s8(utvm_fast_requantize(acc, q), p->output_offset, p->act_min, p->act_max);
    }
}

/* The output of acc for a per-tensor right shift (see UTVM_FCP_RIGHT in utvm_fcp_layer). */
static inline int8_t utvm_fcp_out_right(int32_t acc, int32_t multiplier, int32_t half_off, int32_t right)
{
    const int32_t h = utvm_dsp_smmulr((int32_t)((uint32_t)acc << 1), multiplier);
    return (int8_t)utvm_dsp_ssat8((h + half_off + (h >> 31)) >> right);
}

/* The requantization copies of the layer. */
#define UTVM_FCP_GENERIC 0
#define UTVM_FCP_RIGHT 2

/* acc[b] = R - 256 A (wrap-around). */
static inline int32_t utvm_fcp_second(int32_t a, int32_t r)
{
    return (int32_t)((uint32_t)r - ((uint32_t)a << 8));
}

/* The whole layer with P pairs (2P output features) per pass. */
static inline __attribute__((always_inline)) void utvm_fcp_layer(const utvm_fully_connected_params_s8 *p, const int8_t *input,
                                                                 const int32_t *weights, const int32_t *bias,
                                                                 const int32_t *multipliers, const int32_t *shifts,
                                                                 int8_t *output, int32_t *scratch, int P, int mode, int wide,
                                                                 int32_t chunk_arg)
{
    /* chunk_arg > 0 (wide kernels only): the input is widened `chunk_arg` values at a time (a multiple of
       4) and the accumulators wait in scratch between chunks, after the widened chunk. */
    const int chunked = chunk_arg > 0;
    const int32_t k = p->in_features, n_count = p->out_features;
    const int32_t block_words = ((k + 3) >> 2) * 2 * P;
    const utvm_fast_requant q = utvm_fast_requant_of(p->multiplier, p->shift);
    const int32_t off = p->output_offset;
    /* UTVM_FCP_RIGHT: shift in [-22, -1], full int8 range: left1 = 1, sign_mask = -1, and the output
       offset joins the rounding term, (h + half + (h < 0 ? -1 : 0) + off * 2^right) >> right (no overflow:
       |h| < 2^30, half <= 2^21, |off| * 2^right <= 2^29). */
    const int32_t right = q.right;
    const int32_t half_off = (int32_t)((uint32_t)q.half + ((uint32_t)off << (right & 31)));
    for (int32_t m = 0; m < p->batches; m++) {
        const int8_t *row = input + (size_t)m * (size_t)k;
        int8_t *out = output + (size_t)m * (size_t)n_count;
        const int32_t chunk = chunked && chunk_arg < k ? chunk_arg : k;
        int32_t *saved = scratch + ((chunk + 3) >> 2) * 2;
        uint32_t sum = 0;
        for (int32_t c0 = 0; c0 < k; c0 += chunk) {
        const int32_t len = k - c0 < chunk ? k - c0 : chunk;
        const int first = !chunked || c0 == 0;
        const int last = !chunked || c0 + len >= k;
        sum += (uint32_t)(wide ? utvm_fcp_widen(row + c0, len, scratch) : utvm_fcp_input_sum(row, k));
        const uint32_t s128 = last ? 128u * sum : 0u;
        const int32_t *w = weights + (c0 >> 2) * 2 * P;
        const int32_t *b = bias;
        int32_t *acc = saved;
        for (int32_t n = 0; n < n_count; n += 2 * P, w += block_words, b += 2 * P, acc += 2 * P) {
            utvm_fcp_acc s = {0, 0, 0, 0, 0, 0};
            const int32_t *from = first ? b : acc;
            s.a0 = from[0];
            s.r0 = (int32_t)((uint32_t)from[1] - s128);
            if (P > 1) {
                s.a1 = from[2];
                s.r1 = (int32_t)((uint32_t)from[3] - s128);
            }
            if (P > 2) {
                s.a2 = from[4];
                s.r2 = (int32_t)((uint32_t)from[5] - s128);
            }
            s = utvm_fcp_dot(row + c0, scratch, w, len, s, P, wide, mode == UTVM_FCP_RIGHT);
            if (!last) {
                acc[0] = s.a0;
                acc[1] = s.r0;
                if (P > 1) {
                    acc[2] = s.a1;
                    acc[3] = s.r1;
                }
                if (P > 2) {
                    acc[4] = s.a2;
                    acc[5] = s.r2;
                }
                continue;
            }
            const int32_t left = n_count - n;
            if (mode == UTVM_FCP_RIGHT && left >= 2 * P) {
                int8_t *o = out + n;
                o[0] = utvm_fcp_out_right(s.a0, q.multiplier, half_off, right);
                o[1] = utvm_fcp_out_right(utvm_fcp_second(s.a0, s.r0), q.multiplier, half_off, right);
                if (P > 1) o[2] = utvm_fcp_out_right(s.a1, q.multiplier, half_off, right);
                if (P > 1) o[3] = utvm_fcp_out_right(utvm_fcp_second(s.a1, s.r1), q.multiplier, half_off, right);
                if (P > 2) o[4] = utvm_fcp_out_right(s.a2, q.multiplier, half_off, right);
                if (P > 2) o[5] = utvm_fcp_out_right(utvm_fcp_second(s.a2, s.r2), q.multiplier, half_off, right);
                continue;
            }
            utvm_fcp_store(p, &q, multipliers, shifts, s.a0, n, out);
            if (left > 1) utvm_fcp_store(p, &q, multipliers, shifts, utvm_fcp_second(s.a0, s.r0), n + 1, out);
            if (P > 1 && left > 2) utvm_fcp_store(p, &q, multipliers, shifts, s.a1, n + 2, out);
            if (P > 1 && left > 3) utvm_fcp_store(p, &q, multipliers, shifts, utvm_fcp_second(s.a1, s.r1), n + 3, out);
            if (P > 2 && left > 4) utvm_fcp_store(p, &q, multipliers, shifts, s.a2, n + 4, out);
            if (P > 2 && left > 5) utvm_fcp_store(p, &q, multipliers, shifts, utvm_fcp_second(s.a2, s.r2), n + 5, out);
        }
        }
    }
}

/* The layer: a copy for per-tensor right shifts over the full int8 range (the MLPerf layers), one for the rest. */
#define UTVM_FCP_KERNEL(P, SCRATCH, WIDE, CHUNK)                                                              \
    do {                                                                                                       \
        if (multipliers == NULL && p->shift <= -1 && p->shift >= -22 && p->act_min == -128 && p->act_max == 127) \
            utvm_fcp_layer(p, input, weights, bias, NULL, NULL, output, SCRATCH, (P), UTVM_FCP_RIGHT, WIDE, CHUNK); \
        else                                                                                                   \
            utvm_fcp_layer(p, input, weights, bias, multipliers, shifts, output, SCRATCH, (P), UTVM_FCP_GENERIC, WIDE, CHUNK); \
    } while (0)

#endif /* UTVM_FULLY_CONNECTED_S8_PAIR_DSP_BODY_H */
