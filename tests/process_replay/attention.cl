// 0: (16, 16) dtypes.float32 global 256 local 128
__kernel void e_16_16_ae534f15(__global float* out, __global const int* in0, __global const int* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  int v0 = in0[g1];
  int v1 = in1[g0];
  int v2 = as_int((uint)v0-(uint)v1);
  uchar v3 = (v2<0);
  uchar v4 = (v2==0);
  uchar v5 = (v3||v4);
  uchar v6 = (v5?1:0);
  float v7 = (v6?0.0f:(-INFINITY));
  out[g0*16+g1] = v7;
}

// 1: (2, 4, 16, 8) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_4_16_8_6eca9a75(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/16)%4);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+g2*8);
  float8 v1 = (v0*0.35355339059327373f);
  *(__global ufloat8*)(out+g0*512+g1*128+g2*8) = v1;
}

// 2: (2, 4, 16, 16, 1) dtypes.float32 global 2048 local 1024
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_16_8_42d6ad89(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/1024);
  int g1 = ((gid/256)%4);
  int g2 = ((gid/16)%16);
  int g3 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r4 = 0; r4 < 1; r4++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+g2*8+r4*8);
    float8 v1 = *(__global const ufloat8*)(in1+g0*512+g1*128+g3*8+r4*8);
    vacc0 = (vacc0+v0*v1);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  out[g0*1024+g1*256+g2*16+g3] = acc0;
}

// 3: (2, 4, 16, 16) dtypes.float32 global 128 local 64
#undef exp2
#define exp2 xexp2
static inline float __attribute__((overloadable)) xexp2(float x) { float c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int k = convert_int(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float((h+127) << 23)*as_float((k-h+127) << 23); }
static inline float2 __attribute__((overloadable)) xexp2(float2 x) { float2 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int2 k = convert_int2(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float2((h+127) << 23)*as_float2((k-h+127) << 23); }
static inline float3 __attribute__((overloadable)) xexp2(float3 x) { float3 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int3 k = convert_int3(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float3((h+127) << 23)*as_float3((k-h+127) << 23); }
static inline float4 __attribute__((overloadable)) xexp2(float4 x) { float4 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int4 k = convert_int4(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float4((h+127) << 23)*as_float4((k-h+127) << 23); }
static inline float8 __attribute__((overloadable)) xexp2(float8 x) { float8 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int8 k = convert_int8(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float8((h+127) << 23)*as_float8((k-h+127) << 23); }
static inline float16 __attribute__((overloadable)) xexp2(float16 x) { float16 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int16 k = convert_int16(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float16((h+127) << 23)*as_float16((k-h+127) << 23); }
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_16_96d05dae(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/16)%4);
  int g2 = (gid%16);
  float8 vacc0_0 = -INFINITY;
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*1024+g1*256+g2*16+r3*8);
    float8 v1 = *(__global const ufloat8*)(in1+g2*16+r3*8);
    float8 v2 = (v0+v1);
    vacc0_0 = (((vacc0_0>v2)||(vacc0_0!=vacc0_0))?vacc0_0:v2);
  }
  float acc0_0 = vacc0_0.s0; acc0_0 = (((acc0_0>vacc0_0.s1)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s1); acc0_0 = (((acc0_0>vacc0_0.s2)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s2); acc0_0 = (((acc0_0>vacc0_0.s3)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s3); acc0_0 = (((acc0_0>vacc0_0.s4)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s4); acc0_0 = (((acc0_0>vacc0_0.s5)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s5); acc0_0 = (((acc0_0>vacc0_0.s6)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s6); acc0_0 = (((acc0_0>vacc0_0.s7)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s7);
  float8 vacc1_0 = 0.0f;
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v3 = *(__global const ufloat8*)(in0+g0*1024+g1*256+g2*16+r3*8);
    float8 v4 = *(__global const ufloat8*)(in1+g2*16+r3*8);
    float8 v5 = (v3+v4);
    float8 v6 = (v5-acc0_0);
    float8 v7 = (v6*1.4426950408889634f);
    float8 v8 = exp2(v7);
    vacc1_0 = (vacc1_0+v8);
    *(__global ufloat8*)(out+g0*1024+g1*256+g2*16+r3*8) = v8;
  }
  float acc1_0 = vacc1_0.s0; acc1_0 = (acc1_0+vacc1_0.s1); acc1_0 = (acc1_0+vacc1_0.s2); acc1_0 = (acc1_0+vacc1_0.s3); acc1_0 = (acc1_0+vacc1_0.s4); acc1_0 = (acc1_0+vacc1_0.s5); acc1_0 = (acc1_0+vacc1_0.s6); acc1_0 = (acc1_0+vacc1_0.s7);
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v9 = *(__global ufloat8*)(out+g0*1024+g1*256+g2*16+r3*8);
    float8 v10 = (v9/acc1_0);
    *(__global ufloat8*)(out+g0*1024+g1*256+g2*16+r3*8) = v10;
  }
}

// 4: (2, 4, 16, 8, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_8_16_83587542(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g2 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r4 = 0; r4 < 16; r4++) {
    float v0 = in0[g0*1024+g1*256+g2*128+r4];
    float8 v1 = *(__global const ufloat8*)(in1+g0*512+g1*128+r4*8);
    acc0 = (acc0+v0*v1);
    float v2 = in0[g0*1024+g1*256+g2*128+r4+16];
    acc1 = (acc1+v2*v1);
    float v3 = in0[g0*1024+g1*256+g2*128+r4+32];
    acc2 = (acc2+v3*v1);
    float v4 = in0[g0*1024+g1*256+g2*128+r4+48];
    acc3 = (acc3+v4*v1);
    float v5 = in0[g0*1024+g1*256+g2*128+r4+64];
    acc4 = (acc4+v5*v1);
    float v6 = in0[g0*1024+g1*256+g2*128+r4+80];
    acc5 = (acc5+v6*v1);
    float v7 = in0[g0*1024+g1*256+g2*128+r4+96];
    acc6 = (acc6+v7*v1);
    float v8 = in0[g0*1024+g1*256+g2*128+r4+112];
    acc7 = (acc7+v8*v1);
  }
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+16) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+24) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+32) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+40) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+48) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+56) = acc7;
}

// 5: (2, 4, 16, 8) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_4_16_8_1a17c19d(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/16)%4);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+g2*8);
  float8 v1 = (v0*1.0f);
  float8 v2 = (v1+v1);
  *(__global ufloat8*)(out+g0*512+g1*128+g2*8) = v2;
}

// 6: (2, 4, 1, 8, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_8_16_a4daf26d(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g4 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 16; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*1024+g1*256+r2*16+g4*8);
    float v1 = in1[g0*512+g1*128+r2*8];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*128+r2*8+1];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*512+g1*128+r2*8+2];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*512+g1*128+r2*8+3];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*512+g1*128+r2*8+4];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*512+g1*128+r2*8+5];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*512+g1*128+r2*8+6];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*512+g1*128+r2*8+7];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8+16) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8+32) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8+48) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8+64) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8+80) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8+96) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*128+g4*8+112) = acc7;
}

// 7: (2, 4, 16, 1, 16) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_8_16_70f6b1c2(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = ((gid/4)%4);
  int g4 = ((gid/2)%2);
  int g2 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 8; r3++) {
    float8 v0 = (float8)(in0[g0*512+g1*128+r3+g4*64], in0[g0*512+g1*128+r3+g4*64+8], in0[g0*512+g1*128+r3+g4*64+16], in0[g0*512+g1*128+r3+g4*64+24], in0[g0*512+g1*128+r3+g4*64+32], in0[g0*512+g1*128+r3+g4*64+40], in0[g0*512+g1*128+r3+g4*64+48], in0[g0*512+g1*128+r3+g4*64+56]);
    float v1 = in1[g0*512+g1*128+g2*64+r3];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*128+g2*64+r3+8];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*512+g1*128+g2*64+r3+16];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*512+g1*128+g2*64+r3+24];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*512+g1*128+g2*64+r3+32];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*512+g1*128+g2*64+r3+40];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*512+g1*128+g2*64+r3+48];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*512+g1*128+g2*64+r3+56];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8+16) = acc1;
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8+32) = acc2;
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8+48) = acc3;
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8+64) = acc4;
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8+80) = acc5;
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8+96) = acc6;
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*128+g4*8+112) = acc7;
}

// 8: (2, 4, 16, 16) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_16_d2899c5e(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/16)%4);
  int g2 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v0 = *(__global const ufloat8*)(in1+g0*1024+g1*256+g2*16+r3*8);
    float8 v1 = *(__global const ufloat8*)(in0+g0*1024+g1*256+g2*16+r3*8);
    vacc0 = (vacc0+v0*v1);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v2 = *(__global const ufloat8*)(in0+g0*1024+g1*256+g2*16+r3*8);
    float8 v3 = *(__global const ufloat8*)(in1+g0*1024+g1*256+g2*16+r3*8);
    float8 v4 = (v3-acc0);
    float8 v5 = (v2*v4);
    *(__global ufloat8*)(out+g0*1024+g1*256+g2*16+r3*8) = v5;
  }
}

// 9: (2, 4, 1, 16, 8) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_16_8_6690f411(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g3 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 16; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+r2*8);
    float v1 = in1[g0*1024+g1*256+r2*16+g3*8];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*1024+g1*256+r2*16+g3*8+1];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*1024+g1*256+r2*16+g3*8+2];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*1024+g1*256+r2*16+g3*8+3];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*1024+g1*256+r2*16+g3*8+4];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*1024+g1*256+r2*16+g3*8+5];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*1024+g1*256+r2*16+g3*8+6];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*1024+g1*256+r2*16+g3*8+7];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64+8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64+16) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64+24) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64+32) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64+40) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64+48) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*128+g3*64+56) = acc7;
}

// 10: (2, 4, 16, 8) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_16_8_ebe02649(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g2 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+r3*8);
    float v1 = in1[g0*1024+g1*256+g2*128+r3];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*1024+g1*256+g2*128+r3+16];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*1024+g1*256+g2*128+r3+32];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*1024+g1*256+g2*128+r3+48];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*1024+g1*256+g2*128+r3+64];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*1024+g1*256+g2*128+r3+80];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*1024+g1*256+g2*128+r3+96];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*1024+g1*256+g2*128+r3+112];
    acc7 = (acc7+v0*v8);
  }
  float8 v9 = (0.35355339059327373f*acc0);
  float8 v10 = (0.35355339059327373f*acc1);
  float8 v11 = (0.35355339059327373f*acc2);
  float8 v12 = (0.35355339059327373f*acc3);
  float8 v13 = (0.35355339059327373f*acc4);
  float8 v14 = (0.35355339059327373f*acc5);
  float8 v15 = (0.35355339059327373f*acc6);
  float8 v16 = (0.35355339059327373f*acc7);
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64) = v9;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+8) = v10;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+16) = v11;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+24) = v12;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+32) = v13;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+40) = v14;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+48) = v15;
  *(__global ufloat8*)(out+g0*512+g1*128+g2*64+56) = v16;
}

// 11: (1, 1, 1, 1) dtypes.float32 global 1 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_16_8_517a022e(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float8 vacc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r1 = 0; r1 < 4; r1++) {
  for (int r2 = 0; r2 < 16; r2++) {
  for (int r3 = 0; r3 < 1; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+r0*512+r1*128+r2*8+r3*8);
    vacc0 = (vacc0+v0*v0);
  }}}}
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  out[gid] = acc0;
}
