// 0: (2, 16, 32) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_6bab9bf6(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+r2*8);
    float v1 = in0[g0*512+g1*32];
    float8 v2 = (v0-v1);
    vacc0 = (vacc0+v2);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v2;
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v3 = *(__global ufloat8*)(out+g0*512+g1*32+r2*8);
    float v4 = (acc0*0.03125f);
    float8 v5 = (v3-v4);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v5;
  }
}

// 1: (2, 16, 1) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_d7420410(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+r2*8);
    vacc0 = (vacc0+v0*v0);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  float v1 = (acc0*0.03125f);
  float v2 = (v1+1e-05f);
  float v3 = (1.0f/v2);
  float v4 = sqrt(v3);
  out[g0*16+g1] = v4;
}

// 2: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_16_32_32ff84c5(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float v1 = in1[g0*16+g1];
  float8 v2 = (v0*v1);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v2;
}

// 3: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_16_32_8c9a8902(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g2*8);
  float8 v2 = (v0*v1);
  float8 v3 = *(__global const ufloat8*)(in2+g2*8);
  float8 v4 = (v2+v3);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v4;
}

// 4: (2, 16, 96) dtypes.float32 global 3072 local 1536
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_96_32_824f96a4(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/1536);
  int g1 = ((gid/96)%16);
  int g2 = (gid%96);
  float8 vacc0 = 0.0f;
  for (int r3 = 0; r3 < 4; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+r3*8);
    float8 v1 = *(__global const ufloat8*)(in1+g2*32+r3*8);
    vacc0 = (vacc0+v0*v1);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  float v2 = in2[g2];
  float v3 = (acc0+v2);
  out[g0*1536+g1*96+g2] = v3;
}

// 5: (16, 16) dtypes.float32 global 256 local 128
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

// 6: (2, 2, 16, 16) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_2_16_16_9bb065d6(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/32)%2);
  int g2 = ((gid/2)%16);
  int g3 = (gid%2);
  float8 v0 = *(__global const ufloat8*)(in0+g0*1536+g1*16+g2*96+g3*8);
  float8 v1 = (v0*0.25f);
  *(__global ufloat8*)(out+g0*512+g1*256+g2*16+g3*8) = v1;
}

// 7: (2, 2, 16, 16, 1) dtypes.float32 global 1024 local 512
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_16_024acb71(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/512);
  int g1 = ((gid/256)%2);
  int g2 = ((gid/16)%16);
  int g3 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r4 = 0; r4 < 2; r4++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*16+r4*8);
    float8 v1 = *(__global const ufloat8*)(in1+g0*1536+g1*16+g3*96+r4*8+32);
    vacc0 = (vacc0+v0*v1);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  out[g0*512+g1*256+g2*16+g3] = acc0;
}

// 8: (2, 2, 16, 16) dtypes.float32 global 64 local 32
#undef exp2
#define exp2 xexp2
static inline float __attribute__((overloadable)) xexp2(float x) { float c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int k = convert_int(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float((h+127) << 23)*as_float((k-h+127) << 23); }
static inline float2 __attribute__((overloadable)) xexp2(float2 x) { float2 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int2 k = convert_int2(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float2((h+127) << 23)*as_float2((k-h+127) << 23); }
static inline float3 __attribute__((overloadable)) xexp2(float3 x) { float3 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int3 k = convert_int3(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float3((h+127) << 23)*as_float3((k-h+127) << 23); }
static inline float4 __attribute__((overloadable)) xexp2(float4 x) { float4 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int4 k = convert_int4(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float4((h+127) << 23)*as_float4((k-h+127) << 23); }
static inline float8 __attribute__((overloadable)) xexp2(float8 x) { float8 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int8 k = convert_int8(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float8((h+127) << 23)*as_float8((k-h+127) << 23); }
static inline float16 __attribute__((overloadable)) xexp2(float16 x) { float16 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int16 k = convert_int16(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float16((h+127) << 23)*as_float16((k-h+127) << 23); }
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_e9d471e4(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/32);
  int g1 = ((gid/16)%2);
  int g2 = (gid%16);
  float8 vacc0_0 = -INFINITY;
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*16+r3*8);
    float8 v1 = *(__global const ufloat8*)(in1+g2*16+r3*8);
    float8 v2 = (v0+v1);
    vacc0_0 = (((vacc0_0>v2)||(vacc0_0!=vacc0_0))?vacc0_0:v2);
  }
  float acc0_0 = vacc0_0.s0; acc0_0 = (((acc0_0>vacc0_0.s1)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s1); acc0_0 = (((acc0_0>vacc0_0.s2)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s2); acc0_0 = (((acc0_0>vacc0_0.s3)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s3); acc0_0 = (((acc0_0>vacc0_0.s4)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s4); acc0_0 = (((acc0_0>vacc0_0.s5)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s5); acc0_0 = (((acc0_0>vacc0_0.s6)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s6); acc0_0 = (((acc0_0>vacc0_0.s7)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s7);
  float8 vacc1_0 = 0.0f;
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v3 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*16+r3*8);
    float8 v4 = *(__global const ufloat8*)(in1+g2*16+r3*8);
    float8 v5 = (v3+v4);
    float8 v6 = (v5-acc0_0);
    float8 v7 = (v6*1.4426950408889634f);
    float8 v8 = exp2(v7);
    vacc1_0 = (vacc1_0+v8);
    *(__global ufloat8*)(out+g0*512+g1*256+g2*16+r3*8) = v8;
  }
  float acc1_0 = vacc1_0.s0; acc1_0 = (acc1_0+vacc1_0.s1); acc1_0 = (acc1_0+vacc1_0.s2); acc1_0 = (acc1_0+vacc1_0.s3); acc1_0 = (acc1_0+vacc1_0.s4); acc1_0 = (acc1_0+vacc1_0.s5); acc1_0 = (acc1_0+vacc1_0.s6); acc1_0 = (acc1_0+vacc1_0.s7);
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v9 = *(__global ufloat8*)(out+g0*512+g1*256+g2*16+r3*8);
    float8 v10 = (v9/acc1_0);
    *(__global ufloat8*)(out+g0*512+g1*256+g2*16+r3*8) = v10;
  }
}

// 9: (2, 2, 16, 16, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_16_9df44ee8(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g3 = ((gid/2)%2);
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
    float v0 = in0[g0*512+g1*256+g2*128+r4];
    float8 v1 = *(__global const ufloat8*)(in1+g0*1536+g1*16+g3*8+r4*96+64);
    acc0 = (acc0+v0*v1);
    float v2 = in0[g0*512+g1*256+g2*128+r4+16];
    acc1 = (acc1+v2*v1);
    float v3 = in0[g0*512+g1*256+g2*128+r4+32];
    acc2 = (acc2+v3*v1);
    float v4 = in0[g0*512+g1*256+g2*128+r4+48];
    acc3 = (acc3+v4*v1);
    float v5 = in0[g0*512+g1*256+g2*128+r4+64];
    acc4 = (acc4+v5*v1);
    float v6 = in0[g0*512+g1*256+g2*128+r4+80];
    acc5 = (acc5+v6*v1);
    float v7 = in0[g0*512+g1*256+g2*128+r4+96];
    acc6 = (acc6+v7*v1);
    float v8 = in0[g0*512+g1*256+g2*128+r4+112];
    acc7 = (acc7+v8*v1);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8+16) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8+32) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8+48) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8+64) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8+80) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8+96) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g3*8+112) = acc7;
}

// 10: (2, 16, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_32_909fa2f6(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g2 = ((gid/2)%4);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 32; r3++) {
    float v0 = in1[g0*512+g1*128+(((g0*512+g1*256+r3)/16)%2)*256+((g0*512+g1*256+r3)%16)];
    float8 v1 = (float8)(in2[g2*256+r3], in2[g2*256+r3+32], in2[g2*256+r3+64], in2[g2*256+r3+96], in2[g2*256+r3+128], in2[g2*256+r3+160], in2[g2*256+r3+192], in2[g2*256+r3+224]);
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*128+16+(((g0*512+g1*256+r3+32)/16)%2)*256+((g0*512+g1*256+r3+32)%16)];
    acc1 = (acc1+v2*v1);
    float v3 = in1[g0*512+g1*128+32+(((g0*512+g1*256+r3+64)/16)%2)*256+((g0*512+g1*256+r3+64)%16)];
    acc2 = (acc2+v3*v1);
    float v4 = in1[g0*512+g1*128+48+(((g0*512+g1*256+r3+96)/16)%2)*256+((g0*512+g1*256+r3+96)%16)];
    acc3 = (acc3+v4*v1);
    float v5 = in1[g0*512+g1*128+64+(((g0*512+g1*256+r3+128)/16)%2)*256+((g0*512+g1*256+r3+128)%16)];
    acc4 = (acc4+v5*v1);
    float v6 = in1[g0*512+g1*128+80+(((g0*512+g1*256+r3+160)/16)%2)*256+((g0*512+g1*256+r3+160)%16)];
    acc5 = (acc5+v6*v1);
    float v7 = in1[g0*512+g1*128+96+(((g0*512+g1*256+r3+192)/16)%2)*256+((g0*512+g1*256+r3+192)%16)];
    acc6 = (acc6+v7*v1);
    float v8 = in1[g0*512+g1*128+112+(((g0*512+g1*256+r3+224)/16)%2)*256+((g0*512+g1*256+r3+224)%16)];
    acc7 = (acc7+v8*v1);
  }
  float8 v9 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8);
  float8 v10 = *(__global const ufloat8*)(in3+g2*8);
  float8 v11 = (acc0+v10);
  float8 v12 = (v9+v11);
  float8 v13 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8+32);
  float8 v14 = (acc1+v10);
  float8 v15 = (v13+v14);
  float8 v16 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8+64);
  float8 v17 = (acc2+v10);
  float8 v18 = (v16+v17);
  float8 v19 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8+96);
  float8 v20 = (acc3+v10);
  float8 v21 = (v19+v20);
  float8 v22 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8+128);
  float8 v23 = (acc4+v10);
  float8 v24 = (v22+v23);
  float8 v25 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8+160);
  float8 v26 = (acc5+v10);
  float8 v27 = (v25+v26);
  float8 v28 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8+192);
  float8 v29 = (acc6+v10);
  float8 v30 = (v28+v29);
  float8 v31 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*8+224);
  float8 v32 = (acc7+v10);
  float8 v33 = (v31+v32);
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8) = v12;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8+32) = v15;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8+64) = v18;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8+96) = v21;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8+128) = v24;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8+160) = v27;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8+192) = v30;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8+224) = v33;
}

// 11: (2, 16, 32) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_6bab9bf6(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+r2*8);
    float v1 = in0[g0*512+g1*32];
    float8 v2 = (v0-v1);
    vacc0 = (vacc0+v2);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v2;
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v3 = *(__global ufloat8*)(out+g0*512+g1*32+r2*8);
    float v4 = (acc0*0.03125f);
    float8 v5 = (v3-v4);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v5;
  }
}

// 12: (2, 16, 1) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_d7420410(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+r2*8);
    vacc0 = (vacc0+v0*v0);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  float v1 = (acc0*0.03125f);
  float v2 = (v1+1e-05f);
  float v3 = (1.0f/v2);
  float v4 = sqrt(v3);
  out[g0*16+g1] = v4;
}

// 13: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_16_32_32ff84c5(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float v1 = in1[g0*16+g1];
  float8 v2 = (v0*v1);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v2;
}

// 14: () dtypes.float32 global 1 local 1
__kernel void e_1_91aafa50(__global float* out) {
  int gid = get_global_id(0);
  float v0 = (0.0009765625f*1.0f);
  out[gid] = v0;
}

// 15: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_16_32_8c9a8902(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g2*8);
  float8 v2 = (v0*v1);
  float8 v3 = *(__global const ufloat8*)(in2+g2*8);
  float8 v4 = (v2+v3);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v4;
}

// 16: (2, 16, 128) dtypes.float32 global 4096 local 2048
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_128_32_62f4b291(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/2048);
  int g1 = ((gid/128)%16);
  int g2 = (gid%128);
  float8 vacc0 = 0.0f;
  for (int r3 = 0; r3 < 4; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+r3*8);
    float8 v1 = *(__global const ufloat8*)(in1+g2*32+r3*8);
    vacc0 = (vacc0+v0*v1);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  float v2 = in2[g2];
  float v3 = (acc0+v2);
  out[g0*2048+g1*128+g2] = v3;
}

// 17: (2, 16, 128) dtypes.float32 global 512 local 256
#undef exp2
#define exp2 xexp2
static inline float __attribute__((overloadable)) xexp2(float x) { float c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int k = convert_int(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float((h+127) << 23)*as_float((k-h+127) << 23); }
static inline float2 __attribute__((overloadable)) xexp2(float2 x) { float2 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int2 k = convert_int2(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float2((h+127) << 23)*as_float2((k-h+127) << 23); }
static inline float3 __attribute__((overloadable)) xexp2(float3 x) { float3 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int3 k = convert_int3(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float3((h+127) << 23)*as_float3((k-h+127) << 23); }
static inline float4 __attribute__((overloadable)) xexp2(float4 x) { float4 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int4 k = convert_int4(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float4((h+127) << 23)*as_float4((k-h+127) << 23); }
static inline float8 __attribute__((overloadable)) xexp2(float8 x) { float8 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int8 k = convert_int8(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float8((h+127) << 23)*as_float8((k-h+127) << 23); }
static inline float16 __attribute__((overloadable)) xexp2(float16 x) { float16 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int16 k = convert_int16(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float16((h+127) << 23)*as_float16((k-h+127) << 23); }
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_16_128_dc50ebe2(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = (v0*v0);
  float8 v2 = (v1*0.071354816272344f);
  float8 v3 = (v2+1.5957691216f);
  float8 v4 = (v3*v0);
  float8 v5 = (v4*(-1.4426950408889634f));
  float8 v6 = exp2(v5);
  float8 v7 = (1.0f+v6);
  float8 v8 = (1.0f/v7);
  float8 v9 = (v0*v8);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v9;
}

// 18: (2, 16, 32) dtypes.float32 global 1024 local 512
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_128_4d260b34(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/512);
  int g1 = ((gid/32)%16);
  int g2 = (gid%32);
  float8 vacc0 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = *(__global const ufloat8*)(in1+g0*2048+g1*128+r3*8);
    float8 v1 = *(__global const ufloat8*)(in2+g2*128+r3*8);
    vacc0 = (vacc0+v0*v1);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  float v2 = in0[g0*512+g1*32+g2];
  float v3 = in3[g2];
  float v4 = (acc0+v3);
  float v5 = (v2+v4);
  out[g0*512+g1*32+g2] = v5;
}

// 19: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_16_32_e2ce74a3(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float v1 = in1[0];
  float8 v2 = (v0*v1);
  float8 v3 = (v2+v2);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v3;
}

// 20: (2, 16, 128) dtypes.float32 global 64 local 32
#undef exp2
#define exp2 xexp2
static inline float __attribute__((overloadable)) xexp2(float x) { float c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int k = convert_int(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float((h+127) << 23)*as_float((k-h+127) << 23); }
static inline float2 __attribute__((overloadable)) xexp2(float2 x) { float2 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int2 k = convert_int2(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float2((h+127) << 23)*as_float2((k-h+127) << 23); }
static inline float3 __attribute__((overloadable)) xexp2(float3 x) { float3 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int3 k = convert_int3(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float3((h+127) << 23)*as_float3((k-h+127) << 23); }
static inline float4 __attribute__((overloadable)) xexp2(float4 x) { float4 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int4 k = convert_int4(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float4((h+127) << 23)*as_float4((k-h+127) << 23); }
static inline float8 __attribute__((overloadable)) xexp2(float8 x) { float8 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int8 k = convert_int8(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float8((h+127) << 23)*as_float8((k-h+127) << 23); }
static inline float16 __attribute__((overloadable)) xexp2(float16 x) { float16 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int16 k = convert_int16(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float16((h+127) << 23)*as_float16((k-h+127) << 23); }
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_128_eb6379e3(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/32);
  int g3 = ((gid/2)%16);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = *(__global const ufloat8*)(in1+r2*128+g3*8);
    float v1 = in2[g0*512+g1*256+r2];
    acc0 = (acc0+v0*v1);
    float v2 = in2[g0*512+g1*256+r2+32];
    acc1 = (acc1+v0*v2);
    float v3 = in2[g0*512+g1*256+r2+64];
    acc2 = (acc2+v0*v3);
    float v4 = in2[g0*512+g1*256+r2+96];
    acc3 = (acc3+v0*v4);
    float v5 = in2[g0*512+g1*256+r2+128];
    acc4 = (acc4+v0*v5);
    float v6 = in2[g0*512+g1*256+r2+160];
    acc5 = (acc5+v0*v6);
    float v7 = in2[g0*512+g1*256+r2+192];
    acc6 = (acc6+v0*v7);
    float v8 = in2[g0*512+g1*256+r2+224];
    acc7 = (acc7+v0*v8);
  }
  float8 v9 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8);
  float8 v10 = (v9*v9);
  float8 v11 = (v10*0.071354816272344f);
  float8 v12 = (v11+1.5957691216f);
  float8 v13 = (v12*v9);
  float8 v14 = (v13*(-1.4426950408889634f));
  float8 v15 = exp2(v14);
  float8 v16 = (1.0f+v15);
  float8 v17 = (1.0f/v16);
  float8 v18 = (1.0f-v17);
  float8 v19 = (v17*v18);
  float8 v20 = (((v9>(-20.0f))||(v9!=v9))?v9:(-20.0f));
  float8 v21 = (v20*(-1.0f));
  float8 v22 = (((v21>(-20.0f))||(v21!=v21))?v21:(-20.0f));
  float8 v23 = (v22*(-1.0f));
  float8 v24 = (v23*v23);
  float8 v25 = (v24*0.214064448817032f);
  float8 v26 = (v25+1.5957691216f);
  float8 v27 = (v26*v23);
  float8 v28 = (v19*v27);
  float8 v29 = (v28+v17);
  float8 v30 = (v29*acc0);
  float8 v31 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8+128);
  float8 v32 = (v31*v31);
  float8 v33 = (v32*0.071354816272344f);
  float8 v34 = (v33+1.5957691216f);
  float8 v35 = (v34*v31);
  float8 v36 = (v35*(-1.4426950408889634f));
  float8 v37 = exp2(v36);
  float8 v38 = (1.0f+v37);
  float8 v39 = (1.0f/v38);
  float8 v40 = (1.0f-v39);
  float8 v41 = (v39*v40);
  float8 v42 = (((v31>(-20.0f))||(v31!=v31))?v31:(-20.0f));
  float8 v43 = (v42*(-1.0f));
  float8 v44 = (((v43>(-20.0f))||(v43!=v43))?v43:(-20.0f));
  float8 v45 = (v44*(-1.0f));
  float8 v46 = (v45*v45);
  float8 v47 = (v46*0.214064448817032f);
  float8 v48 = (v47+1.5957691216f);
  float8 v49 = (v48*v45);
  float8 v50 = (v41*v49);
  float8 v51 = (v50+v39);
  float8 v52 = (v51*acc1);
  float8 v53 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8+256);
  float8 v54 = (v53*v53);
  float8 v55 = (v54*0.071354816272344f);
  float8 v56 = (v55+1.5957691216f);
  float8 v57 = (v56*v53);
  float8 v58 = (v57*(-1.4426950408889634f));
  float8 v59 = exp2(v58);
  float8 v60 = (1.0f+v59);
  float8 v61 = (1.0f/v60);
  float8 v62 = (1.0f-v61);
  float8 v63 = (v61*v62);
  float8 v64 = (((v53>(-20.0f))||(v53!=v53))?v53:(-20.0f));
  float8 v65 = (v64*(-1.0f));
  float8 v66 = (((v65>(-20.0f))||(v65!=v65))?v65:(-20.0f));
  float8 v67 = (v66*(-1.0f));
  float8 v68 = (v67*v67);
  float8 v69 = (v68*0.214064448817032f);
  float8 v70 = (v69+1.5957691216f);
  float8 v71 = (v70*v67);
  float8 v72 = (v63*v71);
  float8 v73 = (v72+v61);
  float8 v74 = (v73*acc2);
  float8 v75 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8+384);
  float8 v76 = (v75*v75);
  float8 v77 = (v76*0.071354816272344f);
  float8 v78 = (v77+1.5957691216f);
  float8 v79 = (v78*v75);
  float8 v80 = (v79*(-1.4426950408889634f));
  float8 v81 = exp2(v80);
  float8 v82 = (1.0f+v81);
  float8 v83 = (1.0f/v82);
  float8 v84 = (1.0f-v83);
  float8 v85 = (v83*v84);
  float8 v86 = (((v75>(-20.0f))||(v75!=v75))?v75:(-20.0f));
  float8 v87 = (v86*(-1.0f));
  float8 v88 = (((v87>(-20.0f))||(v87!=v87))?v87:(-20.0f));
  float8 v89 = (v88*(-1.0f));
  float8 v90 = (v89*v89);
  float8 v91 = (v90*0.214064448817032f);
  float8 v92 = (v91+1.5957691216f);
  float8 v93 = (v92*v89);
  float8 v94 = (v85*v93);
  float8 v95 = (v94+v83);
  float8 v96 = (v95*acc3);
  float8 v97 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8+512);
  float8 v98 = (v97*v97);
  float8 v99 = (v98*0.071354816272344f);
  float8 v100 = (v99+1.5957691216f);
  float8 v101 = (v100*v97);
  float8 v102 = (v101*(-1.4426950408889634f));
  float8 v103 = exp2(v102);
  float8 v104 = (1.0f+v103);
  float8 v105 = (1.0f/v104);
  float8 v106 = (1.0f-v105);
  float8 v107 = (v105*v106);
  float8 v108 = (((v97>(-20.0f))||(v97!=v97))?v97:(-20.0f));
  float8 v109 = (v108*(-1.0f));
  float8 v110 = (((v109>(-20.0f))||(v109!=v109))?v109:(-20.0f));
  float8 v111 = (v110*(-1.0f));
  float8 v112 = (v111*v111);
  float8 v113 = (v112*0.214064448817032f);
  float8 v114 = (v113+1.5957691216f);
  float8 v115 = (v114*v111);
  float8 v116 = (v107*v115);
  float8 v117 = (v116+v105);
  float8 v118 = (v117*acc4);
  float8 v119 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8+640);
  float8 v120 = (v119*v119);
  float8 v121 = (v120*0.071354816272344f);
  float8 v122 = (v121+1.5957691216f);
  float8 v123 = (v122*v119);
  float8 v124 = (v123*(-1.4426950408889634f));
  float8 v125 = exp2(v124);
  float8 v126 = (1.0f+v125);
  float8 v127 = (1.0f/v126);
  float8 v128 = (1.0f-v127);
  float8 v129 = (v127*v128);
  float8 v130 = (((v119>(-20.0f))||(v119!=v119))?v119:(-20.0f));
  float8 v131 = (v130*(-1.0f));
  float8 v132 = (((v131>(-20.0f))||(v131!=v131))?v131:(-20.0f));
  float8 v133 = (v132*(-1.0f));
  float8 v134 = (v133*v133);
  float8 v135 = (v134*0.214064448817032f);
  float8 v136 = (v135+1.5957691216f);
  float8 v137 = (v136*v133);
  float8 v138 = (v129*v137);
  float8 v139 = (v138+v127);
  float8 v140 = (v139*acc5);
  float8 v141 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8+768);
  float8 v142 = (v141*v141);
  float8 v143 = (v142*0.071354816272344f);
  float8 v144 = (v143+1.5957691216f);
  float8 v145 = (v144*v141);
  float8 v146 = (v145*(-1.4426950408889634f));
  float8 v147 = exp2(v146);
  float8 v148 = (1.0f+v147);
  float8 v149 = (1.0f/v148);
  float8 v150 = (1.0f-v149);
  float8 v151 = (v149*v150);
  float8 v152 = (((v141>(-20.0f))||(v141!=v141))?v141:(-20.0f));
  float8 v153 = (v152*(-1.0f));
  float8 v154 = (((v153>(-20.0f))||(v153!=v153))?v153:(-20.0f));
  float8 v155 = (v154*(-1.0f));
  float8 v156 = (v155*v155);
  float8 v157 = (v156*0.214064448817032f);
  float8 v158 = (v157+1.5957691216f);
  float8 v159 = (v158*v155);
  float8 v160 = (v151*v159);
  float8 v161 = (v160+v149);
  float8 v162 = (v161*acc6);
  float8 v163 = *(__global const ufloat8*)(in0+g0*2048+g1*1024+g3*8+896);
  float8 v164 = (v163*v163);
  float8 v165 = (v164*0.071354816272344f);
  float8 v166 = (v165+1.5957691216f);
  float8 v167 = (v166*v163);
  float8 v168 = (v167*(-1.4426950408889634f));
  float8 v169 = exp2(v168);
  float8 v170 = (1.0f+v169);
  float8 v171 = (1.0f/v170);
  float8 v172 = (1.0f-v171);
  float8 v173 = (v171*v172);
  float8 v174 = (((v163>(-20.0f))||(v163!=v163))?v163:(-20.0f));
  float8 v175 = (v174*(-1.0f));
  float8 v176 = (((v175>(-20.0f))||(v175!=v175))?v175:(-20.0f));
  float8 v177 = (v176*(-1.0f));
  float8 v178 = (v177*v177);
  float8 v179 = (v178*0.214064448817032f);
  float8 v180 = (v179+1.5957691216f);
  float8 v181 = (v180*v177);
  float8 v182 = (v173*v181);
  float8 v183 = (v182+v171);
  float8 v184 = (v183*acc7);
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8) = v30;
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8+128) = v52;
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8+256) = v74;
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8+384) = v96;
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8+512) = v118;
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8+640) = v140;
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8+768) = v162;
  *(__global ufloat8*)(out+g0*2048+g1*1024+g3*8+896) = v184;
}

// 21: (2, 16, 1, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_128_32_5325d7d7(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g3 = ((gid/2)%4);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 128; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+r2*32+g3*8);
    float v1 = in1[g0*2048+g1*1024+r2];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*2048+g1*1024+r2+128];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*2048+g1*1024+r2+256];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*2048+g1*1024+r2+384];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*2048+g1*1024+r2+512];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*2048+g1*1024+r2+640];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*2048+g1*1024+r2+768];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*2048+g1*1024+r2+896];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+32) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+64) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+96) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+128) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+160) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+192) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+224) = acc7;
}

// 22: (2, 16, 32) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_dbcdb8cf(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3, __global const float* in4) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  float8 vacc0_0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v0 = *(__global const ufloat8*)(in1+r2*8);
    float8 v1 = *(__global const ufloat8*)(in2+g0*512+g1*32+r2*8);
    float8 v2 = (v0*v1);
    float8 v3 = *(__global const ufloat8*)(in3+g0*512+g1*32+r2*8);
    vacc0_0 = (vacc0_0+v2*v3);
  }
  float acc0_0 = vacc0_0.s0; acc0_0 = (acc0_0+vacc0_0.s1); acc0_0 = (acc0_0+vacc0_0.s2); acc0_0 = (acc0_0+vacc0_0.s3); acc0_0 = (acc0_0+vacc0_0.s4); acc0_0 = (acc0_0+vacc0_0.s5); acc0_0 = (acc0_0+vacc0_0.s6); acc0_0 = (acc0_0+vacc0_0.s7);
  float8 vacc1_0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v4 = *(__global const ufloat8*)(in1+r2*8);
    float8 v5 = *(__global const ufloat8*)(in2+g0*512+g1*32+r2*8);
    vacc1_0 = (vacc1_0+v4*v5);
    float8 v6 = (v4*v5);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v6;
  }
  float acc1_0 = vacc1_0.s0; acc1_0 = (acc1_0+vacc1_0.s1); acc1_0 = (acc1_0+vacc1_0.s2); acc1_0 = (acc1_0+vacc1_0.s3); acc1_0 = (acc1_0+vacc1_0.s4); acc1_0 = (acc1_0+vacc1_0.s5); acc1_0 = (acc1_0+vacc1_0.s6); acc1_0 = (acc1_0+vacc1_0.s7);
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v7 = *(__global ufloat8*)(out+g0*512+g1*32+r2*8);
    float8 v8 = *(__global const ufloat8*)(in0+g0*512+g1*32+r2*8);
    float v9 = (acc1_0*0.03125f);
    float8 v10 = (v7-v9);
    float8 v11 = *(__global const ufloat8*)(in3+g0*512+g1*32+r2*8);
    float v12 = (acc0_0*0.03125f);
    float8 v13 = (v11*v12);
    float8 v14 = (v10-v13);
    float v15 = in4[g0*16+g1];
    float8 v16 = (v14*v15);
    float8 v17 = (v8+v16);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v17;
  }
}

// 23: (2, 16, 1, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_32_0891b849(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g3 = ((gid/2)%4);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+r2*32+g3*8);
    float v1 = in1[g0*512+g1*256+r2];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*256+r2+32];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*512+g1*256+r2+64];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*512+g1*256+r2+96];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*512+g1*256+r2+128];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*512+g1*256+r2+160];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*512+g1*256+r2+192];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*512+g1*256+r2+224];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+32) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+64) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+96) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+128) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+160) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+192) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+224) = acc7;
}

// 24: (2, 2, 1, 16, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_16_04e84c7f(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g4 = ((gid/2)%2);
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
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*256+r2*16+g4*8);
    float v1 = in1[g0*512+g1*16+r2*32+g3*8];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*16+r2*32+g3*8+1];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*512+g1*16+r2*32+g3*8+2];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*512+g1*16+r2*32+g3*8+3];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*512+g1*16+r2*32+g3*8+4];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*512+g1*16+r2*32+g3*8+5];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*512+g1*16+r2*32+g3*8+6];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*512+g1*16+r2*32+g3*8+7];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+16) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+32) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+48) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+64) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+80) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+96) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+112) = acc7;
}

// 25: (2, 2, 16, 1, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_16_a7d1ab28(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
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
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[g0*1536+g1*16+r3+g4*768+64], in0[g0*1536+g1*16+r3+g4*768+160], in0[g0*1536+g1*16+r3+g4*768+256], in0[g0*1536+g1*16+r3+g4*768+352], in0[g0*1536+g1*16+r3+g4*768+448], in0[g0*1536+g1*16+r3+g4*768+544], in0[g0*1536+g1*16+r3+g4*768+640], in0[g0*1536+g1*16+r3+g4*768+736]);
    float v1 = in1[g0*512+g1*16+g2*256+r3];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*16+g2*256+r3+32];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*512+g1*16+g2*256+r3+64];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*512+g1*16+g2*256+r3+96];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*512+g1*16+g2*256+r3+128];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*512+g1*16+g2*256+r3+160];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*512+g1*16+g2*256+r3+192];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*512+g1*16+g2*256+r3+224];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+16) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+32) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+48) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+64) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+80) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+96) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+112) = acc7;
}

// 26: (2, 2, 16, 16) dtypes.float32 global 64 local 32
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_096330af(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/32);
  int g1 = ((gid/16)%2);
  int g2 = (gid%16);
  float8 vacc0 = 0.0f;
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v0 = *(__global const ufloat8*)(in1+g0*512+g1*256+g2*16+r3*8);
    float8 v1 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*16+r3*8);
    vacc0 = (vacc0+v0*v1);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  for (int r3 = 0; r3 < 2; r3++) {
    float8 v2 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*16+r3*8);
    float8 v3 = *(__global const ufloat8*)(in1+g0*512+g1*256+g2*16+r3*8);
    float8 v4 = (v3-acc0);
    float8 v5 = (v2*v4);
    *(__global ufloat8*)(out+g0*512+g1*256+g2*16+r3*8) = v5;
  }
}

// 27: (2, 2, 1, 16, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_16_a769e5df(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g4 = ((gid/2)%2);
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
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*256+r2*16+g4*8);
    float v1 = in1[g0*512+g1*256+r2*16+g3*8];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*256+r2*16+g3*8+1];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*512+g1*256+r2*16+g3*8+2];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*512+g1*256+r2*16+g3*8+3];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*512+g1*256+r2*16+g3*8+4];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*512+g1*256+r2*16+g3*8+5];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*512+g1*256+r2*16+g3*8+6];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*512+g1*256+r2*16+g3*8+7];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+16) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+32) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+48) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+64) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+80) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+96) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*128+g4*8+112) = acc7;
}

// 28: (2, 2, 16, 1, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_2_16_16_16_e8bedb3f(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
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
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*1536+g1*16+r3*96+g4*8+32);
    float v1 = in1[g0*512+g1*256+g2*128+r3];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*512+g1*256+g2*128+r3+16];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*512+g1*256+g2*128+r3+32];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*512+g1*256+g2*128+r3+48];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*512+g1*256+g2*128+r3+64];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*512+g1*256+g2*128+r3+80];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*512+g1*256+g2*128+r3+96];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*512+g1*256+g2*128+r3+112];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+16) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+32) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+48) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+64) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+80) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+96) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g2*128+g4*8+112) = acc7;
}

// 29: (2, 16, 96) dtypes.float32 global 384 local 192
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_2_16_96_54d38bfc(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/192);
  int g1 = ((gid/12)%16);
  int g2 = (gid%12);
  float8 v0 = (float8)((g2*8<32?0.25f:0.0f), (g2*8+1<32?0.25f:0.0f), (g2*8+2<32?0.25f:0.0f), (g2*8+3<32?0.25f:0.0f), (g2*8+4<32?0.25f:0.0f), (g2*8+5<32?0.25f:0.0f), (g2*8+6<32?0.25f:0.0f), (g2*8+7<32?0.25f:0.0f));
  int v1 = (g2*8<32);
  int v2 = (g2*8+1<32);
  int v3 = (g2*8+2<32);
  int v4 = (g2*8+3<32);
  int v5 = (g2*8+4<32);
  int v6 = (g2*8+5<32);
  int v7 = (g2*8+6<32);
  int v8 = (g2*8+7<32);
  float8 v9 = (float8)(select((float)0.0f, in0[(v1?((g0*512+g1*32+g2*8)/512)*512+(((g0*512+g1*32+g2*8)/32)%16)*16+(((g0*512+g1*32+g2*8)/16)%2)*256+((g0*512+g1*32+g2*8)%16):0)], (int)v1), select((float)0.0f, in0[(v2?((g0*512+g1*32+g2*8+1)/512)*512+(((g0*512+g1*32+g2*8+1)/32)%16)*16+(((g0*512+g1*32+g2*8+1)/16)%2)*256+((g0*512+g1*32+g2*8+1)%16):0)], (int)v2), select((float)0.0f, in0[(v3?((g0*512+g1*32+g2*8+2)/512)*512+(((g0*512+g1*32+g2*8+2)/32)%16)*16+(((g0*512+g1*32+g2*8+2)/16)%2)*256+((g0*512+g1*32+g2*8+2)%16):0)], (int)v3), select((float)0.0f, in0[(v4?((g0*512+g1*32+g2*8+3)/512)*512+(((g0*512+g1*32+g2*8+3)/32)%16)*16+(((g0*512+g1*32+g2*8+3)/16)%2)*256+((g0*512+g1*32+g2*8+3)%16):0)], (int)v4), select((float)0.0f, in0[(v5?((g0*512+g1*32+g2*8+4)/512)*512+(((g0*512+g1*32+g2*8+4)/32)%16)*16+(((g0*512+g1*32+g2*8+4)/16)%2)*256+((g0*512+g1*32+g2*8+4)%16):0)], (int)v5), select((float)0.0f, in0[(v6?((g0*512+g1*32+g2*8+5)/512)*512+(((g0*512+g1*32+g2*8+5)/32)%16)*16+(((g0*512+g1*32+g2*8+5)/16)%2)*256+((g0*512+g1*32+g2*8+5)%16):0)], (int)v6), select((float)0.0f, in0[(v7?((g0*512+g1*32+g2*8+6)/512)*512+(((g0*512+g1*32+g2*8+6)/32)%16)*16+(((g0*512+g1*32+g2*8+6)/16)%2)*256+((g0*512+g1*32+g2*8+6)%16):0)], (int)v7), select((float)0.0f, in0[(v8?((g0*512+g1*32+g2*8+7)/512)*512+(((g0*512+g1*32+g2*8+7)/32)%16)*16+(((g0*512+g1*32+g2*8+7)/16)%2)*256+((g0*512+g1*32+g2*8+7)%16):0)], (int)v8));
  float8 v10 = (v0*v9);
  int v11 = (g2*8>=32)&(g2*8<64);
  int v12 = (g2*8+1>=32)&(g2*8+1<64);
  int v13 = (g2*8+2>=32)&(g2*8+2<64);
  int v14 = (g2*8+3>=32)&(g2*8+3<64);
  int v15 = (g2*8+4>=32)&(g2*8+4<64);
  int v16 = (g2*8+5>=32)&(g2*8+5<64);
  int v17 = (g2*8+6>=32)&(g2*8+6<64);
  int v18 = (g2*8+7>=32)&(g2*8+7<64);
  float8 v19 = (float8)(select((float)0.0f, in1[(v11?((g0*512+g1*32+g2*8-32)/512)*512+(((g0*512+g1*32+g2*8-32)/32)%16)*16+(((g0*512+g1*32+g2*8-32)/16)%2)*256+((g0*512+g1*32+g2*8-32)%16):0)], (int)v11), select((float)0.0f, in1[(v12?((g0*512+g1*32+g2*8-31)/512)*512+(((g0*512+g1*32+g2*8-31)/32)%16)*16+(((g0*512+g1*32+g2*8-31)/16)%2)*256+((g0*512+g1*32+g2*8-31)%16):0)], (int)v12), select((float)0.0f, in1[(v13?((g0*512+g1*32+g2*8-30)/512)*512+(((g0*512+g1*32+g2*8-30)/32)%16)*16+(((g0*512+g1*32+g2*8-30)/16)%2)*256+((g0*512+g1*32+g2*8-30)%16):0)], (int)v13), select((float)0.0f, in1[(v14?((g0*512+g1*32+g2*8-29)/512)*512+(((g0*512+g1*32+g2*8-29)/32)%16)*16+(((g0*512+g1*32+g2*8-29)/16)%2)*256+((g0*512+g1*32+g2*8-29)%16):0)], (int)v14), select((float)0.0f, in1[(v15?((g0*512+g1*32+g2*8-28)/512)*512+(((g0*512+g1*32+g2*8-28)/32)%16)*16+(((g0*512+g1*32+g2*8-28)/16)%2)*256+((g0*512+g1*32+g2*8-28)%16):0)], (int)v15), select((float)0.0f, in1[(v16?((g0*512+g1*32+g2*8-27)/512)*512+(((g0*512+g1*32+g2*8-27)/32)%16)*16+(((g0*512+g1*32+g2*8-27)/16)%2)*256+((g0*512+g1*32+g2*8-27)%16):0)], (int)v16), select((float)0.0f, in1[(v17?((g0*512+g1*32+g2*8-26)/512)*512+(((g0*512+g1*32+g2*8-26)/32)%16)*16+(((g0*512+g1*32+g2*8-26)/16)%2)*256+((g0*512+g1*32+g2*8-26)%16):0)], (int)v17), select((float)0.0f, in1[(v18?((g0*512+g1*32+g2*8-25)/512)*512+(((g0*512+g1*32+g2*8-25)/32)%16)*16+(((g0*512+g1*32+g2*8-25)/16)%2)*256+((g0*512+g1*32+g2*8-25)%16):0)], (int)v18));
  float8 v20 = (v10+v19);
  int v21 = (g2*8>=64);
  int v22 = (g2*8+1>=64);
  int v23 = (g2*8+2>=64);
  int v24 = (g2*8+3>=64);
  int v25 = (g2*8+4>=64);
  int v26 = (g2*8+5>=64);
  int v27 = (g2*8+6>=64);
  int v28 = (g2*8+7>=64);
  float8 v29 = (float8)(select((float)0.0f, in2[(v21?g0*512+g1+g2*128-1024:0)], (int)v21), select((float)0.0f, in2[(v22?g0*512+g1+g2*128-1008:0)], (int)v22), select((float)0.0f, in2[(v23?g0*512+g1+g2*128-992:0)], (int)v23), select((float)0.0f, in2[(v24?g0*512+g1+g2*128-976:0)], (int)v24), select((float)0.0f, in2[(v25?g0*512+g1+g2*128-960:0)], (int)v25), select((float)0.0f, in2[(v26?g0*512+g1+g2*128-944:0)], (int)v26), select((float)0.0f, in2[(v27?g0*512+g1+g2*128-928:0)], (int)v27), select((float)0.0f, in2[(v28?g0*512+g1+g2*128-912:0)], (int)v28));
  float8 v30 = (v20+v29);
  *(__global ufloat8*)(out+g0*1536+g1*96+g2*8) = v30;
}

// 30: (2, 16, 1, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_96_32_a3e88d62(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g3 = ((gid/2)%4);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 96; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+r2*32+g3*8);
    float v1 = in1[g0*1536+g1*768+r2];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*1536+g1*768+r2+96];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*1536+g1*768+r2+192];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*1536+g1*768+r2+288];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*1536+g1*768+r2+384];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*1536+g1*768+r2+480];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*1536+g1*768+r2+576];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*1536+g1*768+r2+672];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+32) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+64) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+96) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+128) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+160) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+192) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8+224) = acc7;
}

// 31: (2, 16, 32) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_dbcdb8cf(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3, __global const float* in4) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  float8 vacc0_0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v0 = *(__global const ufloat8*)(in1+r2*8);
    float8 v1 = *(__global const ufloat8*)(in2+g0*512+g1*32+r2*8);
    float8 v2 = (v0*v1);
    float8 v3 = *(__global const ufloat8*)(in3+g0*512+g1*32+r2*8);
    vacc0_0 = (vacc0_0+v2*v3);
  }
  float acc0_0 = vacc0_0.s0; acc0_0 = (acc0_0+vacc0_0.s1); acc0_0 = (acc0_0+vacc0_0.s2); acc0_0 = (acc0_0+vacc0_0.s3); acc0_0 = (acc0_0+vacc0_0.s4); acc0_0 = (acc0_0+vacc0_0.s5); acc0_0 = (acc0_0+vacc0_0.s6); acc0_0 = (acc0_0+vacc0_0.s7);
  float8 vacc1_0 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v4 = *(__global const ufloat8*)(in1+r2*8);
    float8 v5 = *(__global const ufloat8*)(in2+g0*512+g1*32+r2*8);
    vacc1_0 = (vacc1_0+v4*v5);
    float8 v6 = (v4*v5);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v6;
  }
  float acc1_0 = vacc1_0.s0; acc1_0 = (acc1_0+vacc1_0.s1); acc1_0 = (acc1_0+vacc1_0.s2); acc1_0 = (acc1_0+vacc1_0.s3); acc1_0 = (acc1_0+vacc1_0.s4); acc1_0 = (acc1_0+vacc1_0.s5); acc1_0 = (acc1_0+vacc1_0.s6); acc1_0 = (acc1_0+vacc1_0.s7);
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v7 = *(__global ufloat8*)(out+g0*512+g1*32+r2*8);
    float8 v8 = *(__global const ufloat8*)(in0+g0*512+g1*32+r2*8);
    float v9 = (acc1_0*0.03125f);
    float8 v10 = (v7-v9);
    float8 v11 = *(__global const ufloat8*)(in3+g0*512+g1*32+r2*8);
    float v12 = (acc0_0*0.03125f);
    float8 v13 = (v11*v12);
    float8 v14 = (v10-v13);
    float v15 = in4[g0*16+g1];
    float8 v16 = (v14*v15);
    float8 v17 = (v8+v16);
    *(__global ufloat8*)(out+g0*512+g1*32+r2*8) = v17;
  }
}

// 32: () dtypes.float32 global 1 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_16_32_b8039fad(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float8 vacc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r1 = 0; r1 < 16; r1++) {
  for (int r2 = 0; r2 < 4; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+r0*512+r1*32+r2*8);
    vacc0 = (vacc0+v0*v0);
  }}}
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  float v1 = (acc0*0.0009765625f);
  out[gid] = v1;
}
