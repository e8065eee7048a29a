// 0: (1, 64) dtypes.int32 global 8 local 4
__kernel void r_16_64_d1047060(__global int* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g1 = gid;
  int acc0 = 0;
  int acc1 = 0;
  int acc2 = 0;
  int acc3 = 0;
  int acc4 = 0;
  int acc5 = 0;
  int acc6 = 0;
  int acc7 = 0;
  for (int r0 = 0; r0 < 16; r0++) {
    float v0 = in0[r0*64+g1*8];
    int v1 = (int)(v0);
    int v2 = (3==0?0:v1%3);
    acc0 = (acc0+v2);
    float v3 = in0[r0*64+g1*8+1];
    int v4 = (int)(v3);
    int v5 = (3==0?0:v4%3);
    acc1 = (acc1+v5);
    float v6 = in0[r0*64+g1*8+2];
    int v7 = (int)(v6);
    int v8 = (3==0?0:v7%3);
    acc2 = (acc2+v8);
    float v9 = in0[r0*64+g1*8+3];
    int v10 = (int)(v9);
    int v11 = (3==0?0:v10%3);
    acc3 = (acc3+v11);
    float v12 = in0[r0*64+g1*8+4];
    int v13 = (int)(v12);
    int v14 = (3==0?0:v13%3);
    acc4 = (acc4+v14);
    float v15 = in0[r0*64+g1*8+5];
    int v16 = (int)(v15);
    int v17 = (3==0?0:v16%3);
    acc5 = (acc5+v17);
    float v18 = in0[r0*64+g1*8+6];
    int v19 = (int)(v18);
    int v20 = (3==0?0:v19%3);
    acc6 = (acc6+v20);
    float v21 = in0[r0*64+g1*8+7];
    int v22 = (int)(v21);
    int v23 = (3==0?0:v22%3);
    acc7 = (acc7+v23);
  }
  out[g1*8] = acc0;
  out[g1*8+1] = acc1;
  out[g1*8+2] = acc2;
  out[g1*8+3] = acc3;
  out[g1*8+4] = acc4;
  out[g1*8+5] = acc5;
  out[g1*8+6] = acc6;
  out[g1*8+7] = acc7;
}

// 1: (16, 1) dtypes.float32 global 2 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_16_64_67cb0a3c(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = gid;
  float8 acc0 = -INFINITY;
  for (int r1 = 0; r1 < 64; r1++) {
    float8 v0 = (float8)(in0[g0*512+r1], in0[g0*512+r1+64], in0[g0*512+r1+128], in0[g0*512+r1+192], in0[g0*512+r1+256], in0[g0*512+r1+320], in0[g0*512+r1+384], in0[g0*512+r1+448]);
    acc0 = fmax(acc0,v0);
  }
  *(__global ufloat8*)(out+g0*8) = acc0;
}

// 2: (16, 64) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_16_64_c9d761dc(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = (gid%8);
  float8 v0 = *(__global const ufloat8*)(in0+g0*64+g1*8);
  float v1 = in1[g0];
  float8 v2 = (v0-v1);
  float8 v3 = (v2*1.4426950408889634f);
  float8 v4 = exp2(v3);
  *(__global ufloat8*)(out+g0*64+g1*8) = v4;
}

// 3: (16, 1) dtypes.float32 global 2 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_16_64_7a30dd07(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = gid;
  float8 acc0 = 0.0f;
  for (int r1 = 0; r1 < 64; r1++) {
    float8 v0 = (float8)(in0[g0*512+r1], in0[g0*512+r1+64], in0[g0*512+r1+128], in0[g0*512+r1+192], in0[g0*512+r1+256], in0[g0*512+r1+320], in0[g0*512+r1+384], in0[g0*512+r1+448]);
    acc0 = (acc0+v0);
  }
  *(__global ufloat8*)(out+g0*8) = acc0;
}

// 4: (16, 64) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_16_64_68ed9303(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = (gid%8);
  float8 v0 = *(__global const ufloat8*)(in0+g0*64+g1*8);
  float v1 = in1[g0];
  float8 v2 = (v0/v1);
  *(__global ufloat8*)(out+g0*64+g1*8) = v2;
}

// 5: (1, 1) dtypes.float32 global 1 local 1
__kernel void r_16_64_f322191b(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float acc0 = -INFINITY;
  for (int r0 = 0; r0 < 16; r0++) {
  for (int r1 = 0; r1 < 64; r1++) {
    float v0 = in0[r0*64+r1];
    acc0 = fmax(acc0,v0);
  }}
  out[0] = acc0;
}

// 6: (16, 1) dtypes.float32 global 2 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_16_64_7a30dd07(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = gid;
  float8 acc0 = 0.0f;
  for (int r1 = 0; r1 < 64; r1++) {
    float8 v0 = (float8)(in0[g0*512+r1], in0[g0*512+r1+64], in0[g0*512+r1+128], in0[g0*512+r1+192], in0[g0*512+r1+256], in0[g0*512+r1+320], in0[g0*512+r1+384], in0[g0*512+r1+448]);
    acc0 = (acc0+v0);
  }
  *(__global ufloat8*)(out+g0*8) = acc0;
}
