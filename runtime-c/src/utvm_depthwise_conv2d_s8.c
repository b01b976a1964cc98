/* Depthwise 2-D convolution, int8, NHWC input, weights [KH, KW, C_OUT] (see utvm/conv2d_s8.h). */
#include "utvm/conv2d_s8.h"

/* The window of one output pixel: taps [ky0, ky1) x [kx0, kx1) lie inside the image, whose cell
   (y0 + ky * dilation_h, x0 + kx * dilation_w) they read. */
typedef struct {
    const int8_t *image;
    int32_t y0, x0, ky0, ky1, kx0, kx1;
} dw_window;

/* Output channel oc alone. */
static int32_t channel_acc(const utvm_depthwise_conv2d_params_s8 *p, const dw_window *win, const int8_t *weights,
                           int32_t oc)
{
    const int32_t in_c = p->in_c;
    const int32_t out_c = in_c * p->depth_multiplier;
    const int32_t ic = oc / p->depth_multiplier;
    int32_t acc = 0;
    for (int32_t ky = win->ky0; ky < win->ky1; ky++) {
        const int32_t y = win->y0 + ky * p->dilation_h;
        const int8_t *in_row = win->image + (size_t)y * (size_t)p->in_w * (size_t)in_c + ic;
        const int8_t *w_row = weights + (size_t)ky * (size_t)p->kernel_w * (size_t)out_c + oc;
        for (int32_t kx = win->kx0; kx < win->kx1; kx++) {
            const int32_t x = win->x0 + kx * p->dilation_w;
            acc += (int32_t)w_row[(size_t)kx * (size_t)out_c] * ((int32_t)in_row[(size_t)x * (size_t)in_c] + p->input_offset);
        }
    }
    return acc;
}

/* Output channels oc .. oc + 3 together: four accumulators per window tap. Channel oc + j reads input
   channel (oc + j) / depth_multiplier, at offset d[j] from that of channel oc. */
static void block_acc(const utvm_depthwise_conv2d_params_s8 *p, const dw_window *win, const int8_t *weights,
                      int32_t oc, int32_t acc[4])
{
    const int32_t in_c = p->in_c;
    const int32_t out_c = in_c * p->depth_multiplier;
    const int32_t offset = p->input_offset;
    const int32_t ic = oc / p->depth_multiplier;
    const int32_t d1 = (oc + 1) / p->depth_multiplier - ic;
    const int32_t d2 = (oc + 2) / p->depth_multiplier - ic;
    const int32_t d3 = (oc + 3) / p->depth_multiplier - ic;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t ky = win->ky0; ky < win->ky1; ky++) {
        const int32_t y = win->y0 + ky * p->dilation_h;
        const int8_t *in_row = win->image + (size_t)y * (size_t)p->in_w * (size_t)in_c + ic;
        const int8_t *w_row = weights + (size_t)ky * (size_t)p->kernel_w * (size_t)out_c + oc;
        for (int32_t kx = win->kx0; kx < win->kx1; kx++) {
            const int8_t *in = in_row + (size_t)(win->x0 + kx * p->dilation_w) * (size_t)in_c;
            const int8_t *w = w_row + (size_t)kx * (size_t)out_c;
            a0 += (int32_t)w[0] * ((int32_t)in[0] + offset);
            a1 += (int32_t)w[1] * ((int32_t)in[d1] + offset);
            a2 += (int32_t)w[2] * ((int32_t)in[d2] + offset);
            a3 += (int32_t)w[3] * ((int32_t)in[d3] + offset);
        }
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

void utvm_depthwise_conv2d_s8(const utvm_depthwise_conv2d_params_s8 *p, const int8_t *input,
                              const int8_t *weights, const int32_t *bias, const int32_t *multipliers,
                              const int32_t *shifts, int8_t *output)
{
    const int32_t out_c = p->in_c * p->depth_multiplier;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    dw_window win;
    for (int32_t n = 0; n < p->batch; n++) {
        win.image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            win.y0 = oy * p->stride_h - p->pad_top;
            utvm_conv_taps(win.y0, p->in_h, p->kernel_h, p->dilation_h, &win.ky0, &win.ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                win.x0 = ox * p->stride_w - p->pad_left;
                utvm_conv_taps(win.x0, p->in_w, p->kernel_w, p->dilation_w, &win.kx0, &win.kx1);
                int32_t oc = 0;
                for (; oc + 3 < out_c; oc += 4) {
                    int32_t acc[4];
                    block_acc(p, &win, weights, oc, acc);
                    for (int32_t j = 0; j < 4; j++) {
                        const int32_t a = acc[j] + (bias != NULL ? bias[oc + j] : 0);
                        output[oc + j] = utvm_requant_channel_s8(a, &p->requant, multipliers, shifts, oc + j);
                    }
                }
                for (; oc < out_c; oc++) {
                    const int32_t a = channel_acc(p, &win, weights, oc) + (bias != NULL ? bias[oc] : 0);
                    output[oc] = utvm_requant_channel_s8(a, &p->requant, multipliers, shifts, oc);
                }
                output += out_c;
            }
        }
    }
}
