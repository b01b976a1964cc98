/* General grouped 2-D convolution, int8, NHWC input, OHWI weights (see utvm/conv2d_s8.h). */
#include "utvm/conv2d_s8.h"

/* The window of one output pixel: taps [ky0, ky1) x [kx0, kx1) lie inside the image, whose cell
   (y0 + ky * dilation_h, x0 + kx * dilation_w) they read. */
typedef struct {
    const int8_t *image;
    int32_t y0, x0, ky0, ky1, kx0, kx1;
} conv_window;

/* The input cells of tap (ky, kx), from channel c0. */
static const int8_t *tap_input(const utvm_conv2d_params_s8 *p, const conv_window *win, int32_t ky, int32_t kx, int32_t c0)
{
    const int32_t y = win->y0 + ky * p->dilation_h;
    const int32_t x = win->x0 + kx * p->dilation_w;
    return win->image + ((size_t)y * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c + c0;
}

/* One output channel: its filter over the window, on the group's channels from c0. */
static int32_t channel_acc(const utvm_conv2d_params_s8 *p, const conv_window *win, const int8_t *filter,
                           int32_t c0, int32_t group_c)
{
    const int32_t offset = p->input_offset;
    int32_t acc = 0;
    for (int32_t ky = win->ky0; ky < win->ky1; ky++) {
        for (int32_t kx = win->kx0; kx < win->kx1; kx++) {
            const int8_t *in = tap_input(p, win, ky, kx, c0);
            const int8_t *w = filter + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)group_c;
            for (int32_t c = 0; c < group_c; c++) acc += (int32_t)w[c] * ((int32_t)in[c] + offset);
        }
    }
    return acc;
}

/* Four output channels of one group (filters at filter, + filter_size, ...): each input value loaded
   once serves the four. */
static void block_acc(const utvm_conv2d_params_s8 *p, const conv_window *win, const int8_t *filter,
                      size_t filter_size, int32_t c0, int32_t group_c, int32_t acc[4])
{
    const int32_t offset = p->input_offset;
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (int32_t ky = win->ky0; ky < win->ky1; ky++) {
        for (int32_t kx = win->kx0; kx < win->kx1; kx++) {
            const int8_t *in = tap_input(p, win, ky, kx, c0);
            const int8_t *w0 = filter + ((size_t)ky * (size_t)p->kernel_w + (size_t)kx) * (size_t)group_c;
            const int8_t *w1 = w0 + filter_size;
            const int8_t *w2 = w1 + filter_size;
            const int8_t *w3 = w2 + filter_size;
            for (int32_t c = 0; c < group_c; c++) {
                const int32_t x = (int32_t)in[c] + offset;
                a0 += (int32_t)w0[c] * x;
                a1 += (int32_t)w1[c] * x;
                a2 += (int32_t)w2[c] * x;
                a3 += (int32_t)w3[c] * x;
            }
        }
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

void utvm_conv2d_s8(const utvm_conv2d_params_s8 *p, const int8_t *input, const int8_t *weights,
                    const int32_t *bias, const int32_t *multipliers, const int32_t *shifts, int8_t *output)
{
    const int32_t group_c = p->in_c / p->groups;
    const int32_t group_oc = p->out_c / p->groups;
    const size_t filter_size = (size_t)p->kernel_h * (size_t)p->kernel_w * (size_t)group_c;
    const size_t image_size = (size_t)p->in_h * (size_t)p->in_w * (size_t)p->in_c;
    conv_window win;
    for (int32_t n = 0; n < p->batch; n++) {
        win.image = input + (size_t)n * image_size;
        for (int32_t oy = 0; oy < p->out_h; oy++) {
            win.y0 = oy * p->stride_h - p->pad_top;
            utvm_conv_taps(win.y0, p->in_h, p->kernel_h, p->dilation_h, &win.ky0, &win.ky1);
            for (int32_t ox = 0; ox < p->out_w; ox++) {
                win.x0 = ox * p->stride_w - p->pad_left;
                utvm_conv_taps(win.x0, p->in_w, p->kernel_w, p->dilation_w, &win.kx0, &win.kx1);
                for (int32_t g = 0; g < p->groups; g++) {
                    const int32_t c0 = g * group_c;
                    const int32_t oc_end = (g + 1) * group_oc;
                    int32_t oc = g * group_oc;
                    for (; oc + 3 < oc_end; oc += 4) {
                        int32_t acc[4];
                        block_acc(p, &win, weights + (size_t)oc * filter_size, filter_size, c0, group_c, acc);
                        for (int32_t j = 0; j < 4; j++) {
                            const int32_t a = acc[j] + (bias != NULL ? bias[oc + j] : 0);
                            output[oc + j] = utvm_requant_channel_s8(a, &p->requant, multipliers, shifts, oc + j);
                        }
                    }
                    for (; oc < oc_end; oc++) {
                        const int32_t a = channel_acc(p, &win, weights + (size_t)oc * filter_size, c0, group_c) +
                                          (bias != NULL ? bias[oc] : 0);
                        output[oc] = utvm_requant_channel_s8(a, &p->requant, multipliers, shifts, oc);
                    }
                }
                output += p->out_c;
            }
        }
    }
}
