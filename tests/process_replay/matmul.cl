// 0: (64, 32) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_64_32_48_f1381b3d(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g1 = (gid/8);
  int g0 = (gid%8);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 48; r2++) {
    float v0 = in0[g0*384+r2];
    float8 v1 = *(__global const ufloat8*)(in1+g1*8+r2*32);
    acc0 = (acc0+v0*v1);
    float v2 = in0[g0*384+r2+48];
    acc1 = (acc1+v2*v1);
    float v3 = in0[g0*384+r2+96];
    acc2 = (acc2+v3*v1);
    float v4 = in0[g0*384+r2+144];
    acc3 = (acc3+v4*v1);
    float v5 = in0[g0*384+r2+192];
    acc4 = (acc4+v5*v1);
    float v6 = in0[g0*384+r2+240];
    acc5 = (acc5+v6*v1);
    float v7 = in0[g0*384+r2+288];
    acc6 = (acc6+v7*v1);
    float v8 = in0[g0*384+r2+336];
    acc7 = (acc7+v8*v1);
  }
  float8 v9 = (((acc0>0.0f)||(acc0!=acc0))?acc0:0.0f);
  float8 v10 = (((acc1>0.0f)||(acc1!=acc1))?acc1:0.0f);
  float8 v11 = (((acc2>0.0f)||(acc2!=acc2))?acc2:0.0f);
  float8 v12 = (((acc3>0.0f)||(acc3!=acc3))?acc3:0.0f);
  float8 v13 = (((acc4>0.0f)||(acc4!=acc4))?acc4:0.0f);
  float8 v14 = (((acc5>0.0f)||(acc5!=acc5))?acc5:0.0f);
  float8 v15 = (((acc6>0.0f)||(acc6!=acc6))?acc6:0.0f);
  float8 v16 = (((acc7>0.0f)||(acc7!=acc7))?acc7:0.0f);
  *(__global ufloat8*)(out+g0*256+g1*8) = v9;
  *(__global ufloat8*)(out+g0*256+g1*8+32) = v10;
  *(__global ufloat8*)(out+g0*256+g1*8+64) = v11;
  *(__global ufloat8*)(out+g0*256+g1*8+96) = v12;
  *(__global ufloat8*)(out+g0*256+g1*8+128) = v13;
  *(__global ufloat8*)(out+g0*256+g1*8+160) = v14;
  *(__global ufloat8*)(out+g0*256+g1*8+192) = v15;
  *(__global ufloat8*)(out+g0*256+g1*8+224) = v16;
}

// 1: (64, 32) dtypes.float32 global 2048 local 1024
__kernel void e_64_32_e6be39ff(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/32);
  int g1 = (gid%32);
  float v0 = in0[g0*32+g1];
  uchar v1 = (0.0f<v0);
  float v2 = (v1?(float)1:(float)0);
  float v3 = (v2*1.0f);
  out[g0*32+g1] = v3;
}

// 2: (1, 32, 48) dtypes.float32 global 24 local 12
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_64_32_48_3768ba4c(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g2 = (gid/4);
  int g1 = (gid%4);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r0 = 0; r0 < 64; r0++) {
    float8 v0 = *(__global const ufloat8*)(in0+r0*48+g2*8);
    float v1 = in1[r0*32+g1*8];
    acc0 = (acc0+v0*v1);
    float v2 = in1[r0*32+g1*8+1];
    acc1 = (acc1+v0*v2);
    float v3 = in1[r0*32+g1*8+2];
    acc2 = (acc2+v0*v3);
    float v4 = in1[r0*32+g1*8+3];
    acc3 = (acc3+v0*v4);
    float v5 = in1[r0*32+g1*8+4];
    acc4 = (acc4+v0*v5);
    float v6 = in1[r0*32+g1*8+5];
    acc5 = (acc5+v0*v6);
    float v7 = in1[r0*32+g1*8+6];
    acc6 = (acc6+v0*v7);
    float v8 = in1[r0*32+g1*8+7];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g1*384+g2*8) = acc0;
  *(__global ufloat8*)(out+g1*384+g2*8+48) = acc1;
  *(__global ufloat8*)(out+g1*384+g2*8+96) = acc2;
  *(__global ufloat8*)(out+g1*384+g2*8+144) = acc3;
  *(__global ufloat8*)(out+g1*384+g2*8+192) = acc4;
  *(__global ufloat8*)(out+g1*384+g2*8+240) = acc5;
  *(__global ufloat8*)(out+g1*384+g2*8+288) = acc6;
  *(__global ufloat8*)(out+g1*384+g2*8+336) = acc7;
}

// 3: (64, 1, 48) dtypes.float32 global 48 local 24
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_64_32_48_6d5ce208(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g2 = (gid/8);
  int g0 = (gid%8);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r1 = 0; r1 < 32; r1++) {
    float8 v0 = (float8)(in0[r1+g2*256], in0[r1+g2*256+32], in0[r1+g2*256+64], in0[r1+g2*256+96], in0[r1+g2*256+128], in0[r1+g2*256+160], in0[r1+g2*256+192], in0[r1+g2*256+224]);
    float v1 = in1[g0*256+r1];
    acc0 = (acc0+v0*v1);
    float v2 = in1[g0*256+r1+32];
    acc1 = (acc1+v0*v2);
    float v3 = in1[g0*256+r1+64];
    acc2 = (acc2+v0*v3);
    float v4 = in1[g0*256+r1+96];
    acc3 = (acc3+v0*v4);
    float v5 = in1[g0*256+r1+128];
    acc4 = (acc4+v0*v5);
    float v6 = in1[g0*256+r1+160];
    acc5 = (acc5+v0*v6);
    float v7 = in1[g0*256+r1+192];
    acc6 = (acc6+v0*v7);
    float v8 = in1[g0*256+r1+224];
    acc7 = (acc7+v0*v8);
  }
  *(__global ufloat8*)(out+g0*384+g2*8) = acc0;
  *(__global ufloat8*)(out+g0*384+g2*8+48) = acc1;
  *(__global ufloat8*)(out+g0*384+g2*8+96) = acc2;
  *(__global ufloat8*)(out+g0*384+g2*8+144) = acc3;
  *(__global ufloat8*)(out+g0*384+g2*8+192) = acc4;
  *(__global ufloat8*)(out+g0*384+g2*8+240) = acc5;
  *(__global ufloat8*)(out+g0*384+g2*8+288) = acc6;
  *(__global ufloat8*)(out+g0*384+g2*8+336) = acc7;
}

// 4: (1, 1) dtypes.float32 global 1 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_64_32_ff88a360(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float8 vacc0 = 0.0f;
  for (int r0 = 0; r0 < 64; r0++) {
  for (int r1 = 0; r1 < 4; r1++) {
    float8 v0 = *(__global const ufloat8*)(in0+r0*32+r1*8);
    vacc0 = (vacc0+v0);
  }}
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  out[gid] = acc0;
}

// 5 (pack): (1, 33, 200, 8) dtypes.float32 global 6600 local 3300
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_1_33_200_8_80b4b634(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g1 = (gid/200);
  int g2 = (gid%200);
  float8 v0 = *(__global const ufloat8*)(in0+g1*8+g2*264);
  *(__global ufloat8*)(out+g1*1600+g2*8) = v0;
}

// 5: (256, 264) dtypes.float32 global 1056 local 528
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_256_264_200_9fbe4f61(__global float* out, __global const float* in0, __global const uchar* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g1 = (gid/32);
  int g0 = (gid%32);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 200; r2++) {
    float v0 = in0[g0*1600+r2];
    float8 v1 = *(__global const ufloat8*)(in3+g1*1600+r2*8);
    acc0 = (acc0+v0*v1);
    float v2 = in0[g0*1600+r2+200];
    acc1 = (acc1+v2*v1);
    float v3 = in0[g0*1600+r2+400];
    acc2 = (acc2+v3*v1);
    float v4 = in0[g0*1600+r2+600];
    acc3 = (acc3+v4*v1);
    float v5 = in0[g0*1600+r2+800];
    acc4 = (acc4+v5*v1);
    float v6 = in0[g0*1600+r2+1000];
    acc5 = (acc5+v6*v1);
    float v7 = in0[g0*1600+r2+1200];
    acc6 = (acc6+v7*v1);
    float v8 = in0[g0*1600+r2+1400];
    acc7 = (acc7+v8*v1);
  }
  float8 v9 = *(__global const ufloat8*)(in2+g1*8);
  float8 v10 = (acc0+v9);
  float8 v11 = (((v10>0.0f)||(v10!=v10))?v10:0.0f);
  float8 v12 = (acc1+v9);
  float8 v13 = (((v12>0.0f)||(v12!=v12))?v12:0.0f);
  float8 v14 = (acc2+v9);
  float8 v15 = (((v14>0.0f)||(v14!=v14))?v14:0.0f);
  float8 v16 = (acc3+v9);
  float8 v17 = (((v16>0.0f)||(v16!=v16))?v16:0.0f);
  float8 v18 = (acc4+v9);
  float8 v19 = (((v18>0.0f)||(v18!=v18))?v18:0.0f);
  float8 v20 = (acc5+v9);
  float8 v21 = (((v20>0.0f)||(v20!=v20))?v20:0.0f);
  float8 v22 = (acc6+v9);
  float8 v23 = (((v22>0.0f)||(v22!=v22))?v22:0.0f);
  float8 v24 = (acc7+v9);
  float8 v25 = (((v24>0.0f)||(v24!=v24))?v24:0.0f);
  *(__global ufloat8*)(out+g0*2112+g1*8) = v11;
  *(__global ufloat8*)(out+g0*2112+g1*8+264) = v13;
  *(__global ufloat8*)(out+g0*2112+g1*8+528) = v15;
  *(__global ufloat8*)(out+g0*2112+g1*8+792) = v17;
  *(__global ufloat8*)(out+g0*2112+g1*8+1056) = v19;
  *(__global ufloat8*)(out+g0*2112+g1*8+1320) = v21;
  *(__global ufloat8*)(out+g0*2112+g1*8+1584) = v23;
  *(__global ufloat8*)(out+g0*2112+g1*8+1848) = v25;
}

// 6: (4, 16, 24, 1) dtypes.float32 global 24 local 12
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_4_16_24_8_64045cc6(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/6);
  int g2 = ((gid/2)%3);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 8; r3++) {
    float v0 = in0[g0*128+g1*64+r3];
    float8 v1 = *(__global const ufloat8*)(in1+g0*192+g2*8+r3*24);
    acc0 = (acc0+v0*v1);
    float v2 = in0[g0*128+g1*64+r3+8];
    acc1 = (acc1+v2*v1);
    float v3 = in0[g0*128+g1*64+r3+16];
    acc2 = (acc2+v3*v1);
    float v4 = in0[g0*128+g1*64+r3+24];
    acc3 = (acc3+v4*v1);
    float v5 = in0[g0*128+g1*64+r3+32];
    acc4 = (acc4+v5*v1);
    float v6 = in0[g0*128+g1*64+r3+40];
    acc5 = (acc5+v6*v1);
    float v7 = in0[g0*128+g1*64+r3+48];
    acc6 = (acc6+v7*v1);
    float v8 = in0[g0*128+g1*64+r3+56];
    acc7 = (acc7+v8*v1);
  }
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8) = acc0;
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8+24) = acc1;
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8+48) = acc2;
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8+72) = acc3;
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8+96) = acc4;
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8+120) = acc5;
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8+144) = acc6;
  *(__global ufloat8*)(out+g0*384+g1*192+g2*8+168) = acc7;
}
