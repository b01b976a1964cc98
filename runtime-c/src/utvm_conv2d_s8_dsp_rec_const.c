/*
 * utvm_conv2d_s8_dsp_rec_const is a static inline function of utvm/conv2d_s8_dsp_core.h, compiled at each
 * call site of the model: this file, which a project lists for every kernel it calls, only checks that the
 * header compiles on its own.
 */
#include "utvm/conv2d_s8_dsp_core.h"

typedef int utvm_conv2d_s8_dsp_rec_const_unit;
