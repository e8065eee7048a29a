// 0: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_c57da6f0(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    acc0 = (acc0+v0);
  }
  float8 v1 = (acc0*0.03125f);
  *(__global ufloat8*)(out+g0*16+g1*8) = v1;
}

// 1: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_dde5dd57(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float v1 = in1[g0*16+g1];
  float8 v2 = (v0-v1);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v2;
}

// 2: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_6140955b(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    float8 v1 = (v0*v0);
    acc0 = (acc0+v1);
  }
  float8 v2 = (acc0*0.03125f);
  float8 v3 = (v2+1e-05f);
  float8 v4 = (1.0f/v3);
  *(__global ufloat8*)(out+g0*16+g1*8) = v4;
}

// 3: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_1_042632fb(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 v0 = *(__global const ufloat8*)(in0+g0*16+g1*8);
  float8 v1 = sqrt(v0);
  *(__global ufloat8*)(out+g0*16+g1*8) = v1;
}

// 4: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_e7fd9a3f(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float v1 = in1[g0*16+g1];
  float8 v2 = (v0*v1);
  float8 v3 = *(__global const ufloat8*)(in2+g2*8);
  float8 v4 = (v2*v3);
  float8 v5 = *(__global const ufloat8*)(in3+g2*8);
  float8 v6 = (v4+v5);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v6;
}

// 5: (2, 16, 96) dtypes.float32 global 48 local 24
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_96_32_58bc80ac(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/24);
  int g1 = ((gid/12)%2);
  int g2 = (gid%12);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 32; r3++) {
    float v0 = in0[g0*512+g1*8*32+r3];
    float8 v1 = (float8)(in1[g2*8*32+r3], in1[(g2*8+1)*32+r3], in1[(g2*8+2)*32+r3], in1[(g2*8+3)*32+r3], in1[(g2*8+4)*32+r3], in1[(g2*8+5)*32+r3], in1[(g2*8+6)*32+r3], in1[(g2*8+7)*32+r3]);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in0[g0*512+(g1*8+1)*32+r3];
    float8 v4 = (v3*v1);
    acc1 = (acc1+v4);
    float v5 = in0[g0*512+(g1*8+2)*32+r3];
    float8 v6 = (v5*v1);
    acc2 = (acc2+v6);
    float v7 = in0[g0*512+(g1*8+3)*32+r3];
    float8 v8 = (v7*v1);
    acc3 = (acc3+v8);
    float v9 = in0[g0*512+(g1*8+4)*32+r3];
    float8 v10 = (v9*v1);
    acc4 = (acc4+v10);
    float v11 = in0[g0*512+(g1*8+5)*32+r3];
    float8 v12 = (v11*v1);
    acc5 = (acc5+v12);
    float v13 = in0[g0*512+(g1*8+6)*32+r3];
    float8 v14 = (v13*v1);
    acc6 = (acc6+v14);
    float v15 = in0[g0*512+(g1*8+7)*32+r3];
    float8 v16 = (v15*v1);
    acc7 = (acc7+v16);
  }
  float8 v17 = *(__global const ufloat8*)(in2+g2*8);
  float8 v18 = (acc0+v17);
  float8 v19 = (acc1+v17);
  float8 v20 = (acc2+v17);
  float8 v21 = (acc3+v17);
  float8 v22 = (acc4+v17);
  float8 v23 = (acc5+v17);
  float8 v24 = (acc6+v17);
  float8 v25 = (acc7+v17);
  *(__global ufloat8*)(out+g0*1536+g1*8*96+g2*8) = v18;
  *(__global ufloat8*)(out+g0*1536+(g1*8+1)*96+g2*8) = v19;
  *(__global ufloat8*)(out+g0*1536+(g1*8+2)*96+g2*8) = v20;
  *(__global ufloat8*)(out+g0*1536+(g1*8+3)*96+g2*8) = v21;
  *(__global ufloat8*)(out+g0*1536+(g1*8+4)*96+g2*8) = v22;
  *(__global ufloat8*)(out+g0*1536+(g1*8+5)*96+g2*8) = v23;
  *(__global ufloat8*)(out+g0*1536+(g1*8+6)*96+g2*8) = v24;
  *(__global ufloat8*)(out+g0*1536+(g1*8+7)*96+g2*8) = v25;
}

// 6: (16, 16) dtypes.bool global 256 local 128
__kernel void e_16_16_fc85d246(__global uchar* out, __global const int* in0, __global const int* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = (gid%16);
  int v0 = in0[g1];
  int v1 = in1[g0];
  int v2 = (v0-v1);
  uchar v3 = (0<v2);
  uchar v4 = (v3==0);
  uchar v5 = (v4?1:0);
  out[g0*16+g1] = v5;
}

// 7: (2, 2, 16, 16) dtypes.float32 global 128 local 64
__kernel void r_2_2_16_16_16_b4cae1f7(__global float* out, __global const uchar* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/32)%2);
  int g2 = ((gid/2)%16);
  int g3 = (gid%2);
  float acc0 = 0.0f;
  float acc1 = 0.0f;
  float acc2 = 0.0f;
  float acc3 = 0.0f;
  float acc4 = 0.0f;
  float acc5 = 0.0f;
  float acc6 = 0.0f;
  float acc7 = 0.0f;
  for (int r4 = 0; r4 < 16; r4++) {
    float v0 = in1[g0*1536+g1*16+g2*96+r4];
    float v1 = in1[32+g0*1536+g1*16+g3*8*96+r4];
    float v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[32+g0*1536+g1*16+(g3*8+1)*96+r4];
    float v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[32+g0*1536+g1*16+(g3*8+2)*96+r4];
    float v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[32+g0*1536+g1*16+(g3*8+3)*96+r4];
    float v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[32+g0*1536+g1*16+(g3*8+4)*96+r4];
    float v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[32+g0*1536+g1*16+(g3*8+5)*96+r4];
    float v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[32+g0*1536+g1*16+(g3*8+6)*96+r4];
    float v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[32+g0*1536+g1*16+(g3*8+7)*96+r4];
    float v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  uchar v17 = in0[g2*16+g3*8];
  float v18 = (acc0*0.25f);
  float v19 = (v17?v18:(-INFINITY));
  uchar v20 = in0[g2*16+(g3*8+1)];
  float v21 = (acc1*0.25f);
  float v22 = (v20?v21:(-INFINITY));
  uchar v23 = in0[g2*16+(g3*8+2)];
  float v24 = (acc2*0.25f);
  float v25 = (v23?v24:(-INFINITY));
  uchar v26 = in0[g2*16+(g3*8+3)];
  float v27 = (acc3*0.25f);
  float v28 = (v26?v27:(-INFINITY));
  uchar v29 = in0[g2*16+(g3*8+4)];
  float v30 = (acc4*0.25f);
  float v31 = (v29?v30:(-INFINITY));
  uchar v32 = in0[g2*16+(g3*8+5)];
  float v33 = (acc5*0.25f);
  float v34 = (v32?v33:(-INFINITY));
  uchar v35 = in0[g2*16+(g3*8+6)];
  float v36 = (acc6*0.25f);
  float v37 = (v35?v36:(-INFINITY));
  uchar v38 = in0[g2*16+(g3*8+7)];
  float v39 = (acc7*0.25f);
  float v40 = (v38?v39:(-INFINITY));
  out[g0*512+g1*256+g2*16+g3*8] = v19;
  out[g0*512+g1*256+g2*16+(g3*8+1)] = v22;
  out[g0*512+g1*256+g2*16+(g3*8+2)] = v25;
  out[g0*512+g1*256+g2*16+(g3*8+3)] = v28;
  out[g0*512+g1*256+g2*16+(g3*8+4)] = v31;
  out[g0*512+g1*256+g2*16+(g3*8+5)] = v34;
  out[g0*512+g1*256+g2*16+(g3*8+6)] = v37;
  out[g0*512+g1*256+g2*16+(g3*8+7)] = v40;
}

// 8: (2, 2, 16, 1) dtypes.float32 global 8 local 4
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_5f3bb9af(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/4);
  int g1 = ((gid/2)%2);
  int g2 = (gid%2);
  float8 acc0 = -INFINITY;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[g0*512+g1*256+g2*8*16+r3], in0[g0*512+g1*256+(g2*8+1)*16+r3], in0[g0*512+g1*256+(g2*8+2)*16+r3], in0[g0*512+g1*256+(g2*8+3)*16+r3], in0[g0*512+g1*256+(g2*8+4)*16+r3], in0[g0*512+g1*256+(g2*8+5)*16+r3], in0[g0*512+g1*256+(g2*8+6)*16+r3], in0[g0*512+g1*256+(g2*8+7)*16+r3]);
    acc0 = fmax(acc0,v0);
  }
  *(__global ufloat8*)(out+g0*32+g1*16+g2*8) = acc0;
}

// 9: (2, 2, 16, 16) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_2_16_16_21c02c1e(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/32)%2);
  int g2 = ((gid/2)%16);
  int g3 = (gid%2);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*16+g3*8);
  float v1 = in1[g0*32+g1*16+g2];
  float8 v2 = (v0-v1);
  float8 v3 = (v2*1.4426950408889634f);
  float8 v4 = exp2(v3);
  *(__global ufloat8*)(out+g0*512+g1*256+g2*16+g3*8) = v4;
}

// 10: (2, 2, 16, 1) dtypes.float32 global 8 local 4
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_9adc739e(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/4);
  int g1 = ((gid/2)%2);
  int g2 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[g0*512+g1*256+g2*8*16+r3], in0[g0*512+g1*256+(g2*8+1)*16+r3], in0[g0*512+g1*256+(g2*8+2)*16+r3], in0[g0*512+g1*256+(g2*8+3)*16+r3], in0[g0*512+g1*256+(g2*8+4)*16+r3], in0[g0*512+g1*256+(g2*8+5)*16+r3], in0[g0*512+g1*256+(g2*8+6)*16+r3], in0[g0*512+g1*256+(g2*8+7)*16+r3]);
    acc0 = (acc0+v0);
  }
  *(__global ufloat8*)(out+g0*32+g1*16+g2*8) = acc0;
}

// 11: (2, 2, 16, 16) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_2_16_16_de654635(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/32)%2);
  int g2 = ((gid/2)%16);
  int g3 = (gid%2);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*256+g2*16+g3*8);
  float v1 = in1[g0*32+g1*16+g2];
  float8 v2 = (v0/v1);
  *(__global ufloat8*)(out+g0*512+g1*256+g2*16+g3*8) = v2;
}

// 12: (2, 2, 16, 16, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_16_59a40b10(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g2 = ((gid/2)%2);
  int g3 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r4 = 0; r4 < 16; r4++) {
    float v0 = in0[g0*512+g1*256+g2*8*16+r4];
    float8 v1 = *(__global const ufloat8*)(in1+64+g0*1536+g1*16+g3*8+r4*96);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in0[g0*512+g1*256+(g2*8+1)*16+r4];
    float8 v4 = (v3*v1);
    acc1 = (acc1+v4);
    float v5 = in0[g0*512+g1*256+(g2*8+2)*16+r4];
    float8 v6 = (v5*v1);
    acc2 = (acc2+v6);
    float v7 = in0[g0*512+g1*256+(g2*8+3)*16+r4];
    float8 v8 = (v7*v1);
    acc3 = (acc3+v8);
    float v9 = in0[g0*512+g1*256+(g2*8+4)*16+r4];
    float8 v10 = (v9*v1);
    acc4 = (acc4+v10);
    float v11 = in0[g0*512+g1*256+(g2*8+5)*16+r4];
    float8 v12 = (v11*v1);
    acc5 = (acc5+v12);
    float v13 = in0[g0*512+g1*256+(g2*8+6)*16+r4];
    float8 v14 = (v13*v1);
    acc6 = (acc6+v14);
    float v15 = in0[g0*512+g1*256+(g2*8+7)*16+r4];
    float8 v16 = (v15*v1);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8*16+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+1)*16+g3*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+2)*16+g3*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+3)*16+g3*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+4)*16+g3*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+5)*16+g3*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+6)*16+g3*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+7)*16+g3*8) = acc7;
}

// 13: (2, 16, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_32_284d0264(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g2 = (gid%4);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 32; r3++) {
    float v0 = in1[((g0*512+g1*8*32+r3)/512)*512+(((g0*512+g1*8*32+r3)/32)%16)*16+(((g0*512+g1*8*32+r3)/16)%2)*256+((g0*512+g1*8*32+r3)%16)];
    float8 v1 = (float8)(in2[g2*8*32+r3], in2[(g2*8+1)*32+r3], in2[(g2*8+2)*32+r3], in2[(g2*8+3)*32+r3], in2[(g2*8+4)*32+r3], in2[(g2*8+5)*32+r3], in2[(g2*8+6)*32+r3], in2[(g2*8+7)*32+r3]);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[((g0*512+(g1*8+1)*32+r3)/512)*512+(((g0*512+(g1*8+1)*32+r3)/32)%16)*16+(((g0*512+(g1*8+1)*32+r3)/16)%2)*256+((g0*512+(g1*8+1)*32+r3)%16)];
    float8 v4 = (v3*v1);
    acc1 = (acc1+v4);
    float v5 = in1[((g0*512+(g1*8+2)*32+r3)/512)*512+(((g0*512+(g1*8+2)*32+r3)/32)%16)*16+(((g0*512+(g1*8+2)*32+r3)/16)%2)*256+((g0*512+(g1*8+2)*32+r3)%16)];
    float8 v6 = (v5*v1);
    acc2 = (acc2+v6);
    float v7 = in1[((g0*512+(g1*8+3)*32+r3)/512)*512+(((g0*512+(g1*8+3)*32+r3)/32)%16)*16+(((g0*512+(g1*8+3)*32+r3)/16)%2)*256+((g0*512+(g1*8+3)*32+r3)%16)];
    float8 v8 = (v7*v1);
    acc3 = (acc3+v8);
    float v9 = in1[((g0*512+(g1*8+4)*32+r3)/512)*512+(((g0*512+(g1*8+4)*32+r3)/32)%16)*16+(((g0*512+(g1*8+4)*32+r3)/16)%2)*256+((g0*512+(g1*8+4)*32+r3)%16)];
    float8 v10 = (v9*v1);
    acc4 = (acc4+v10);
    float v11 = in1[((g0*512+(g1*8+5)*32+r3)/512)*512+(((g0*512+(g1*8+5)*32+r3)/32)%16)*16+(((g0*512+(g1*8+5)*32+r3)/16)%2)*256+((g0*512+(g1*8+5)*32+r3)%16)];
    float8 v12 = (v11*v1);
    acc5 = (acc5+v12);
    float v13 = in1[((g0*512+(g1*8+6)*32+r3)/512)*512+(((g0*512+(g1*8+6)*32+r3)/32)%16)*16+(((g0*512+(g1*8+6)*32+r3)/16)%2)*256+((g0*512+(g1*8+6)*32+r3)%16)];
    float8 v14 = (v13*v1);
    acc6 = (acc6+v14);
    float v15 = in1[((g0*512+(g1*8+7)*32+r3)/512)*512+(((g0*512+(g1*8+7)*32+r3)/32)%16)*16+(((g0*512+(g1*8+7)*32+r3)/16)%2)*256+((g0*512+(g1*8+7)*32+r3)%16)];
    float8 v16 = (v15*v1);
    acc7 = (acc7+v16);
  }
  float8 v17 = *(__global const ufloat8*)(in0+g0*512+g1*8*32+g2*8);
  float8 v18 = *(__global const ufloat8*)(in3+g2*8);
  float8 v19 = (acc0+v18);
  float8 v20 = (v17+v19);
  float8 v21 = *(__global const ufloat8*)(in0+g0*512+(g1*8+1)*32+g2*8);
  float8 v22 = (acc1+v18);
  float8 v23 = (v21+v22);
  float8 v24 = *(__global const ufloat8*)(in0+g0*512+(g1*8+2)*32+g2*8);
  float8 v25 = (acc2+v18);
  float8 v26 = (v24+v25);
  float8 v27 = *(__global const ufloat8*)(in0+g0*512+(g1*8+3)*32+g2*8);
  float8 v28 = (acc3+v18);
  float8 v29 = (v27+v28);
  float8 v30 = *(__global const ufloat8*)(in0+g0*512+(g1*8+4)*32+g2*8);
  float8 v31 = (acc4+v18);
  float8 v32 = (v30+v31);
  float8 v33 = *(__global const ufloat8*)(in0+g0*512+(g1*8+5)*32+g2*8);
  float8 v34 = (acc5+v18);
  float8 v35 = (v33+v34);
  float8 v36 = *(__global const ufloat8*)(in0+g0*512+(g1*8+6)*32+g2*8);
  float8 v37 = (acc6+v18);
  float8 v38 = (v36+v37);
  float8 v39 = *(__global const ufloat8*)(in0+g0*512+(g1*8+7)*32+g2*8);
  float8 v40 = (acc7+v18);
  float8 v41 = (v39+v40);
  *(__global ufloat8*)(out+g0*512+g1*8*32+g2*8) = v20;
  *(__global ufloat8*)(out+g0*512+(g1*8+1)*32+g2*8) = v23;
  *(__global ufloat8*)(out+g0*512+(g1*8+2)*32+g2*8) = v26;
  *(__global ufloat8*)(out+g0*512+(g1*8+3)*32+g2*8) = v29;
  *(__global ufloat8*)(out+g0*512+(g1*8+4)*32+g2*8) = v32;
  *(__global ufloat8*)(out+g0*512+(g1*8+5)*32+g2*8) = v35;
  *(__global ufloat8*)(out+g0*512+(g1*8+6)*32+g2*8) = v38;
  *(__global ufloat8*)(out+g0*512+(g1*8+7)*32+g2*8) = v41;
}

// 14: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_c57da6f0(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    acc0 = (acc0+v0);
  }
  float8 v1 = (acc0*0.03125f);
  *(__global ufloat8*)(out+g0*16+g1*8) = v1;
}

// 15: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_dde5dd57(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float v1 = in1[g0*16+g1];
  float8 v2 = (v0-v1);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v2;
}

// 16: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_6140955b(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    float8 v1 = (v0*v0);
    acc0 = (acc0+v1);
  }
  float8 v2 = (acc0*0.03125f);
  float8 v3 = (v2+1e-05f);
  float8 v4 = (1.0f/v3);
  *(__global ufloat8*)(out+g0*16+g1*8) = v4;
}

// 17: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_1_042632fb(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 v0 = *(__global const ufloat8*)(in0+g0*16+g1*8);
  float8 v1 = sqrt(v0);
  *(__global ufloat8*)(out+g0*16+g1*8) = v1;
}

// 18: () dtypes.float32 global 1 local 1
__kernel void e_1_648a5ce7(__global float* out) {
  int gid = get_global_id(0);
  float v0 = (0.0009765625f*1.0f);
  out[0] = v0;
}

// 19: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_e7fd9a3f(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float v1 = in1[g0*16+g1];
  float8 v2 = (v0*v1);
  float8 v3 = *(__global const ufloat8*)(in2+g2*8);
  float8 v4 = (v2*v3);
  float8 v5 = *(__global const ufloat8*)(in3+g2*8);
  float8 v6 = (v4+v5);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v6;
}

// 20: (2, 16, 128) dtypes.float32 global 64 local 32
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_128_32_11df7849(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/32);
  int g1 = ((gid/16)%2);
  int g2 = (gid%16);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 32; r3++) {
    float v0 = in0[g0*512+g1*8*32+r3];
    float8 v1 = (float8)(in1[g2*8*32+r3], in1[(g2*8+1)*32+r3], in1[(g2*8+2)*32+r3], in1[(g2*8+3)*32+r3], in1[(g2*8+4)*32+r3], in1[(g2*8+5)*32+r3], in1[(g2*8+6)*32+r3], in1[(g2*8+7)*32+r3]);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in0[g0*512+(g1*8+1)*32+r3];
    float8 v4 = (v3*v1);
    acc1 = (acc1+v4);
    float v5 = in0[g0*512+(g1*8+2)*32+r3];
    float8 v6 = (v5*v1);
    acc2 = (acc2+v6);
    float v7 = in0[g0*512+(g1*8+3)*32+r3];
    float8 v8 = (v7*v1);
    acc3 = (acc3+v8);
    float v9 = in0[g0*512+(g1*8+4)*32+r3];
    float8 v10 = (v9*v1);
    acc4 = (acc4+v10);
    float v11 = in0[g0*512+(g1*8+5)*32+r3];
    float8 v12 = (v11*v1);
    acc5 = (acc5+v12);
    float v13 = in0[g0*512+(g1*8+6)*32+r3];
    float8 v14 = (v13*v1);
    acc6 = (acc6+v14);
    float v15 = in0[g0*512+(g1*8+7)*32+r3];
    float8 v16 = (v15*v1);
    acc7 = (acc7+v16);
  }
  float8 v17 = *(__global const ufloat8*)(in2+g2*8);
  float8 v18 = (acc0+v17);
  float8 v19 = (acc1+v17);
  float8 v20 = (acc2+v17);
  float8 v21 = (acc3+v17);
  float8 v22 = (acc4+v17);
  float8 v23 = (acc5+v17);
  float8 v24 = (acc6+v17);
  float8 v25 = (acc7+v17);
  *(__global ufloat8*)(out+g0*2048+g1*8*128+g2*8) = v18;
  *(__global ufloat8*)(out+g0*2048+(g1*8+1)*128+g2*8) = v19;
  *(__global ufloat8*)(out+g0*2048+(g1*8+2)*128+g2*8) = v20;
  *(__global ufloat8*)(out+g0*2048+(g1*8+3)*128+g2*8) = v21;
  *(__global ufloat8*)(out+g0*2048+(g1*8+4)*128+g2*8) = v22;
  *(__global ufloat8*)(out+g0*2048+(g1*8+5)*128+g2*8) = v23;
  *(__global ufloat8*)(out+g0*2048+(g1*8+6)*128+g2*8) = v24;
  *(__global ufloat8*)(out+g0*2048+(g1*8+7)*128+g2*8) = v25;
}

// 21: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_8142b542(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = (0.044715f*v0);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v1;
}

// 22: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_3b73a039(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g0*2048+g1*128+g2*8);
  float8 v2 = (v0*v1);
  float8 v3 = (1.0f+v2);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v3;
}

// 23: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_761e3f00(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = (v0*0.7978845608f);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v1;
}

// 24: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_056877ed(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g0*2048+g1*128+g2*8);
  float8 v2 = (v0*v1);
  float8 v3 = (2.0f*v2);
  float8 v4 = (v3*(-1.4426950408889634f));
  float8 v5 = exp2(v4);
  float8 v6 = (1.0f+v5);
  float8 v7 = (1.0f/v6);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v7;
}

// 25: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_ef97ca8b(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = (2.0f*v0);
  float8 v2 = (v1-1.0f);
  float8 v3 = (1.0f+v2);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v3;
}

// 26: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_57a2965b(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = (0.5f*v0);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v1;
}

// 27: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_6dd7f1c3(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g0*2048+g1*128+g2*8);
  float8 v2 = (v0*v1);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v2;
}

// 28: (2, 16, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_128_5e7ec0c8(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g2 = (gid%4);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 128; r3++) {
    float v0 = in1[g0*2048+g1*8*128+r3];
    float8 v1 = (float8)(in2[g2*8*128+r3], in2[(g2*8+1)*128+r3], in2[(g2*8+2)*128+r3], in2[(g2*8+3)*128+r3], in2[(g2*8+4)*128+r3], in2[(g2*8+5)*128+r3], in2[(g2*8+6)*128+r3], in2[(g2*8+7)*128+r3]);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*2048+(g1*8+1)*128+r3];
    float8 v4 = (v3*v1);
    acc1 = (acc1+v4);
    float v5 = in1[g0*2048+(g1*8+2)*128+r3];
    float8 v6 = (v5*v1);
    acc2 = (acc2+v6);
    float v7 = in1[g0*2048+(g1*8+3)*128+r3];
    float8 v8 = (v7*v1);
    acc3 = (acc3+v8);
    float v9 = in1[g0*2048+(g1*8+4)*128+r3];
    float8 v10 = (v9*v1);
    acc4 = (acc4+v10);
    float v11 = in1[g0*2048+(g1*8+5)*128+r3];
    float8 v12 = (v11*v1);
    acc5 = (acc5+v12);
    float v13 = in1[g0*2048+(g1*8+6)*128+r3];
    float8 v14 = (v13*v1);
    acc6 = (acc6+v14);
    float v15 = in1[g0*2048+(g1*8+7)*128+r3];
    float8 v16 = (v15*v1);
    acc7 = (acc7+v16);
  }
  float8 v17 = *(__global const ufloat8*)(in0+g0*512+g1*8*32+g2*8);
  float8 v18 = *(__global const ufloat8*)(in3+g2*8);
  float8 v19 = (acc0+v18);
  float8 v20 = (v17+v19);
  float8 v21 = *(__global const ufloat8*)(in0+g0*512+(g1*8+1)*32+g2*8);
  float8 v22 = (acc1+v18);
  float8 v23 = (v21+v22);
  float8 v24 = *(__global const ufloat8*)(in0+g0*512+(g1*8+2)*32+g2*8);
  float8 v25 = (acc2+v18);
  float8 v26 = (v24+v25);
  float8 v27 = *(__global const ufloat8*)(in0+g0*512+(g1*8+3)*32+g2*8);
  float8 v28 = (acc3+v18);
  float8 v29 = (v27+v28);
  float8 v30 = *(__global const ufloat8*)(in0+g0*512+(g1*8+4)*32+g2*8);
  float8 v31 = (acc4+v18);
  float8 v32 = (v30+v31);
  float8 v33 = *(__global const ufloat8*)(in0+g0*512+(g1*8+5)*32+g2*8);
  float8 v34 = (acc5+v18);
  float8 v35 = (v33+v34);
  float8 v36 = *(__global const ufloat8*)(in0+g0*512+(g1*8+6)*32+g2*8);
  float8 v37 = (acc6+v18);
  float8 v38 = (v36+v37);
  float8 v39 = *(__global const ufloat8*)(in0+g0*512+(g1*8+7)*32+g2*8);
  float8 v40 = (acc7+v18);
  float8 v41 = (v39+v40);
  *(__global ufloat8*)(out+g0*512+g1*8*32+g2*8) = v20;
  *(__global ufloat8*)(out+g0*512+(g1*8+1)*32+g2*8) = v23;
  *(__global ufloat8*)(out+g0*512+(g1*8+2)*32+g2*8) = v26;
  *(__global ufloat8*)(out+g0*512+(g1*8+3)*32+g2*8) = v29;
  *(__global ufloat8*)(out+g0*512+(g1*8+4)*32+g2*8) = v32;
  *(__global ufloat8*)(out+g0*512+(g1*8+5)*32+g2*8) = v35;
  *(__global ufloat8*)(out+g0*512+(g1*8+6)*32+g2*8) = v38;
  *(__global ufloat8*)(out+g0*512+(g1*8+7)*32+g2*8) = v41;
}

// 29: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_eda193c2(__global float* out, __global const float* in0, __global const float* in1) {
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

// 30: (2, 16, 1, 128) dtypes.float32 global 64 local 32
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_128_7022b0ae(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/32);
  int g1 = ((gid/16)%2);
  int g3 = (gid%16);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+r2*128+g3*8);
    float v1 = in1[g0*512+g1*8*32+r2];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+(g1*8+1)*32+r2];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+(g1*8+2)*32+r2];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+(g1*8+3)*32+r2];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+(g1*8+4)*32+r2];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+(g1*8+5)*32+r2];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+(g1*8+6)*32+r2];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+(g1*8+7)*32+r2];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*2048+g1*8*128+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*2048+(g1*8+1)*128+g3*8) = acc1;
  *(__global ufloat8*)(out+g0*2048+(g1*8+2)*128+g3*8) = acc2;
  *(__global ufloat8*)(out+g0*2048+(g1*8+3)*128+g3*8) = acc3;
  *(__global ufloat8*)(out+g0*2048+(g1*8+4)*128+g3*8) = acc4;
  *(__global ufloat8*)(out+g0*2048+(g1*8+5)*128+g3*8) = acc5;
  *(__global ufloat8*)(out+g0*2048+(g1*8+6)*128+g3*8) = acc6;
  *(__global ufloat8*)(out+g0*2048+(g1*8+7)*128+g3*8) = acc7;
}

// 31: (2, 16, 128) dtypes.float32 global 512 local 256
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_128_4e39324e(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3, __global const float* in4, __global const float* in5, __global const float* in6, __global const float* in7) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/16)%16);
  int g2 = (gid%16);
  float8 v0 = *(__global const ufloat8*)(in0+g0*2048+g1*128+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g0*2048+g1*128+g2*8);
  float8 v2 = (v0*v1);
  float8 v3 = (0.5f*v2);
  float8 v4 = *(__global const ufloat8*)(in2+g0*2048+g1*128+g2*8);
  float8 v5 = *(__global const ufloat8*)(in3+g0*2048+g1*128+g2*8);
  float8 v6 = (1.0f-v5);
  float8 v7 = (v5*v6);
  float8 v8 = *(__global const ufloat8*)(in4+g0*2048+g1*128+g2*8);
  float8 v9 = (v8*v1);
  float8 v10 = (2.0f*v9);
  float8 v11 = (v7*v10);
  float8 v12 = (2.0f*v11);
  float8 v13 = (v4*v12);
  float8 v14 = (0.7978845608f*v13);
  float8 v15 = (v3+v14);
  float8 v16 = *(__global const ufloat8*)(in5+g0*2048+g1*128+g2*8);
  float8 v17 = *(__global const ufloat8*)(in6+g0*2048+g1*128+g2*8);
  float8 v18 = (v17*v12);
  float8 v19 = (v16*v18);
  float8 v20 = (v15+v19);
  float8 v21 = *(__global const ufloat8*)(in7+g0*2048+g1*128+g2*8);
  float8 v22 = (v21*v18);
  float8 v23 = (0.044715f*v22);
  float8 v24 = (v20+v23);
  *(__global ufloat8*)(out+g0*2048+g1*128+g2*8) = v24;
}

// 32: (2, 16, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_128_32_8cb13ff6(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g3 = (gid%4);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 128; r2++) {
    float8 v0 = *(__global const ufloat8*)(in1+r2*32+g3*8);
    float v1 = in2[g0*2048+g1*8*128+r2];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in2[g0*2048+(g1*8+1)*128+r2];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in2[g0*2048+(g1*8+2)*128+r2];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in2[g0*2048+(g1*8+3)*128+r2];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in2[g0*2048+(g1*8+4)*128+r2];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in2[g0*2048+(g1*8+5)*128+r2];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in2[g0*2048+(g1*8+6)*128+r2];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in2[g0*2048+(g1*8+7)*128+r2];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  float8 v17 = *(__global const ufloat8*)(in0+g3*8);
  float8 v18 = (v17*acc0);
  float8 v19 = (v17*acc1);
  float8 v20 = (v17*acc2);
  float8 v21 = (v17*acc3);
  float8 v22 = (v17*acc4);
  float8 v23 = (v17*acc5);
  float8 v24 = (v17*acc6);
  float8 v25 = (v17*acc7);
  *(__global ufloat8*)(out+g0*512+g1*8*32+g3*8) = v18;
  *(__global ufloat8*)(out+g0*512+(g1*8+1)*32+g3*8) = v19;
  *(__global ufloat8*)(out+g0*512+(g1*8+2)*32+g3*8) = v20;
  *(__global ufloat8*)(out+g0*512+(g1*8+3)*32+g3*8) = v21;
  *(__global ufloat8*)(out+g0*512+(g1*8+4)*32+g3*8) = v22;
  *(__global ufloat8*)(out+g0*512+(g1*8+5)*32+g3*8) = v23;
  *(__global ufloat8*)(out+g0*512+(g1*8+6)*32+g3*8) = v24;
  *(__global ufloat8*)(out+g0*512+(g1*8+7)*32+g3*8) = v25;
}

// 33: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_c0e7bd86(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    float8 v1 = (float8)(in1[g0*512+g1*8*32+r2], in1[g0*512+(g1*8+1)*32+r2], in1[g0*512+(g1*8+2)*32+r2], in1[g0*512+(g1*8+3)*32+r2], in1[g0*512+(g1*8+4)*32+r2], in1[g0*512+(g1*8+5)*32+r2], in1[g0*512+(g1*8+6)*32+r2], in1[g0*512+(g1*8+7)*32+r2]);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
  }
  float8 v3 = *(__global const ufloat8*)(in2+g0*16+g1*8);
  float8 v4 = (v3*2.0f);
  float8 v5 = (acc0/v4);
  float8 v6 = (-v5);
  float8 v7 = *(__global const ufloat8*)(in3+g0*16+g1*8);
  float8 v8 = (v6*v7);
  float8 v9 = (v8*v7);
  float8 v10 = (0.03125f*v9);
  *(__global ufloat8*)(out+g0*16+g1*8) = v10;
}

// 34: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_cc5e18f3(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float v0 = in0[g0*16+g1];
  float8 v1 = *(__global const ufloat8*)(in1+g0*512+g1*32+g2*8);
  float8 v2 = (v0*v1);
  float8 v3 = *(__global const ufloat8*)(in2+g0*512+g1*32+g2*8);
  float v4 = in3[g0*16+g1];
  float8 v5 = (v3*v4);
  float8 v6 = (v2+v5);
  float8 v7 = (v6+v5);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v7;
}

// 35: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_fdf95e62(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    float8 v1 = (-v0);
    acc0 = (acc0+v1);
  }
  float8 v2 = (0.03125f*acc0);
  *(__global ufloat8*)(out+g0*16+g1*8) = v2;
}

// 36: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_fbc501e2(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g0*512+g1*32+g2*8);
  float8 v2 = (v0+v1);
  float v3 = in2[g0*16+g1];
  float8 v4 = (v2+v3);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v4;
}

// 37: (2, 16, 1, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_32_f8adaa52(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g3 = (gid%4);
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
    float v1 = in1[g0*512+g1*8*32+r2];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+(g1*8+1)*32+r2];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+(g1*8+2)*32+r2];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+(g1*8+3)*32+r2];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+(g1*8+4)*32+r2];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+(g1*8+5)*32+r2];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+(g1*8+6)*32+r2];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+(g1*8+7)*32+r2];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*8*32+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*512+(g1*8+1)*32+g3*8) = acc1;
  *(__global ufloat8*)(out+g0*512+(g1*8+2)*32+g3*8) = acc2;
  *(__global ufloat8*)(out+g0*512+(g1*8+3)*32+g3*8) = acc3;
  *(__global ufloat8*)(out+g0*512+(g1*8+4)*32+g3*8) = acc4;
  *(__global ufloat8*)(out+g0*512+(g1*8+5)*32+g3*8) = acc5;
  *(__global ufloat8*)(out+g0*512+(g1*8+6)*32+g3*8) = acc6;
  *(__global ufloat8*)(out+g0*512+(g1*8+7)*32+g3*8) = acc7;
}

// 38: (2, 2, 1, 16, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_16_c9b19042(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g3 = ((gid/2)%2);
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
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*256+r2*16+g4*8);
    float v1 = in1[g0*512+g1*16+r2*32+g3*8];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+g1*16+r2*32+(g3*8+1)];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+g1*16+r2*32+(g3*8+2)];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+g1*16+r2*32+(g3*8+3)];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+g1*16+r2*32+(g3*8+4)];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+g1*16+r2*32+(g3*8+5)];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+g1*16+r2*32+(g3*8+6)];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+g1*16+r2*32+(g3*8+7)];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8*16+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+1)*16+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+2)*16+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+3)*16+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+4)*16+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+5)*16+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+6)*16+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+7)*16+g4*8) = acc7;
}

// 39: (2, 2, 16, 1, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_16_5abd16cb(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g2 = ((gid/2)%2);
  int g4 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[64+g0*1536+g1*16+r3+g4*8*96], in0[64+g0*1536+g1*16+r3+(g4*8+1)*96], in0[64+g0*1536+g1*16+r3+(g4*8+2)*96], in0[64+g0*1536+g1*16+r3+(g4*8+3)*96], in0[64+g0*1536+g1*16+r3+(g4*8+4)*96], in0[64+g0*1536+g1*16+r3+(g4*8+5)*96], in0[64+g0*1536+g1*16+r3+(g4*8+6)*96], in0[64+g0*1536+g1*16+r3+(g4*8+7)*96]);
    float v1 = in1[g0*512+g1*16+g2*8*32+r3];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+g1*16+(g2*8+1)*32+r3];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+g1*16+(g2*8+2)*32+r3];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+g1*16+(g2*8+3)*32+r3];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+g1*16+(g2*8+4)*32+r3];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+g1*16+(g2*8+5)*32+r3];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+g1*16+(g2*8+6)*32+r3];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+g1*16+(g2*8+7)*32+r3];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8*16+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+1)*16+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+2)*16+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+3)*16+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+4)*16+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+5)*16+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+6)*16+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+7)*16+g4*8) = acc7;
}

// 40: (2, 2, 16, 1) dtypes.float32 global 8 local 4
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_052f9fa3(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/4);
  int g1 = ((gid/2)%2);
  int g2 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[g0*512+g1*256+g2*8*16+r3], in0[g0*512+g1*256+(g2*8+1)*16+r3], in0[g0*512+g1*256+(g2*8+2)*16+r3], in0[g0*512+g1*256+(g2*8+3)*16+r3], in0[g0*512+g1*256+(g2*8+4)*16+r3], in0[g0*512+g1*256+(g2*8+5)*16+r3], in0[g0*512+g1*256+(g2*8+6)*16+r3], in0[g0*512+g1*256+(g2*8+7)*16+r3]);
    float8 v1 = (-v0);
    float8 v2 = (float8)(in1[g0*512+g1*256+g2*8*16+r3], in1[g0*512+g1*256+(g2*8+1)*16+r3], in1[g0*512+g1*256+(g2*8+2)*16+r3], in1[g0*512+g1*256+(g2*8+3)*16+r3], in1[g0*512+g1*256+(g2*8+4)*16+r3], in1[g0*512+g1*256+(g2*8+5)*16+r3], in1[g0*512+g1*256+(g2*8+6)*16+r3], in1[g0*512+g1*256+(g2*8+7)*16+r3]);
    float8 v3 = (v1*v2);
    float8 v4 = *(__global const ufloat8*)(in2+g0*32+g1*16+g2*8);
    float8 v5 = (v4*v4);
    float8 v6 = (v3/v5);
    acc0 = (acc0+v6);
  }
  *(__global ufloat8*)(out+g0*32+g1*16+g2*8) = acc0;
}

// 41: (2, 2, 16, 16) dtypes.float32 global 1024 local 512
__kernel void e_2_2_16_16_f0f3f3ba(__global float* out, __global const uchar* in0, __global const float* in1, __global const float* in2, __global const float* in3, __global const float* in4) {
  int gid = get_global_id(0);
  int g0 = (gid/512);
  int g1 = ((gid/256)%2);
  int g2 = ((gid/16)%16);
  int g3 = (gid%16);
  uchar v0 = in0[g2*16+g3];
  float v1 = in1[g0*512+g1*256+g2*16+g3];
  float v2 = in2[g0*512+g1*256+g2*16+g3];
  float v3 = in3[g0*32+g1*16+g2];
  float v4 = (v2/v3);
  float v5 = in4[g0*32+g1*16+g2];
  float v6 = (v4+v5);
  float v7 = (v1*v6);
  float v8 = (v0?v7:0.0f);
  float v9 = (0.25f*v8);
  out[g0*512+g1*256+g2*16+g3] = v9;
}

// 42: (2, 2, 1, 16, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_16_618894b6(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g3 = ((gid/2)%2);
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
    float8 v0 = *(__global const ufloat8*)(in0+g0*1536+g1*16+r2*96+g4*8);
    float v1 = in1[g0*512+g1*256+r2*16+g3*8];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+g1*256+r2*16+(g3*8+1)];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+g1*256+r2*16+(g3*8+2)];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+g1*256+r2*16+(g3*8+3)];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+g1*256+r2*16+(g3*8+4)];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+g1*256+r2*16+(g3*8+5)];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+g1*256+r2*16+(g3*8+6)];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+g1*256+r2*16+(g3*8+7)];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g3*8*16+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+1)*16+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+2)*16+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+3)*16+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+4)*16+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+5)*16+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+6)*16+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+(g3*8+7)*16+g4*8) = acc7;
}

// 43: (2, 2, 16, 1, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_2_16_16_16_4d07a4b0(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g2 = ((gid/2)%2);
  int g4 = (gid%2);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+32+g0*1536+g1*16+r3*96+g4*8);
    float v1 = in1[g0*512+g1*256+g2*8*16+r3];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+g1*256+(g2*8+1)*16+r3];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+g1*256+(g2*8+2)*16+r3];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+g1*256+(g2*8+3)*16+r3];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+g1*256+(g2*8+4)*16+r3];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+g1*256+(g2*8+5)*16+r3];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+g1*256+(g2*8+6)*16+r3];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+g1*256+(g2*8+7)*16+r3];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*256+g2*8*16+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+1)*16+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+2)*16+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+3)*16+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+4)*16+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+5)*16+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+6)*16+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*256+(g2*8+7)*16+g4*8) = acc7;
}

// 44: (2, 16, 96) dtypes.float32 global 384 local 192
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_96_e5c6139d(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/192);
  int g1 = ((gid/12)%16);
  int g2 = (gid%12);
  float8 v0 = (float8)((g2*8<32?in0[((g0*512+g1*32+g2*8)/512)*512+(((g0*512+g1*32+g2*8)/32)%16)*16+(((g0*512+g1*32+g2*8)/16)%2)*256+((g0*512+g1*32+g2*8)%16)]:0.0f), ((g2*8+1)<32?in0[((g0*512+g1*32+(g2*8+1))/512)*512+(((g0*512+g1*32+(g2*8+1))/32)%16)*16+(((g0*512+g1*32+(g2*8+1))/16)%2)*256+((g0*512+g1*32+(g2*8+1))%16)]:0.0f), ((g2*8+2)<32?in0[((g0*512+g1*32+(g2*8+2))/512)*512+(((g0*512+g1*32+(g2*8+2))/32)%16)*16+(((g0*512+g1*32+(g2*8+2))/16)%2)*256+((g0*512+g1*32+(g2*8+2))%16)]:0.0f), ((g2*8+3)<32?in0[((g0*512+g1*32+(g2*8+3))/512)*512+(((g0*512+g1*32+(g2*8+3))/32)%16)*16+(((g0*512+g1*32+(g2*8+3))/16)%2)*256+((g0*512+g1*32+(g2*8+3))%16)]:0.0f), ((g2*8+4)<32?in0[((g0*512+g1*32+(g2*8+4))/512)*512+(((g0*512+g1*32+(g2*8+4))/32)%16)*16+(((g0*512+g1*32+(g2*8+4))/16)%2)*256+((g0*512+g1*32+(g2*8+4))%16)]:0.0f), ((g2*8+5)<32?in0[((g0*512+g1*32+(g2*8+5))/512)*512+(((g0*512+g1*32+(g2*8+5))/32)%16)*16+(((g0*512+g1*32+(g2*8+5))/16)%2)*256+((g0*512+g1*32+(g2*8+5))%16)]:0.0f), ((g2*8+6)<32?in0[((g0*512+g1*32+(g2*8+6))/512)*512+(((g0*512+g1*32+(g2*8+6))/32)%16)*16+(((g0*512+g1*32+(g2*8+6))/16)%2)*256+((g0*512+g1*32+(g2*8+6))%16)]:0.0f), ((g2*8+7)<32?in0[((g0*512+g1*32+(g2*8+7))/512)*512+(((g0*512+g1*32+(g2*8+7))/32)%16)*16+(((g0*512+g1*32+(g2*8+7))/16)%2)*256+((g0*512+g1*32+(g2*8+7))%16)]:0.0f));
  float8 v1 = (float8)((g2*8>=32&&g2*8<64?in1[((-32+g0*512+g1*32+g2*8)/512)*512+(((-32+g0*512+g1*32+g2*8)/32)%16)*16+(((-32+g0*512+g1*32+g2*8)/16)%2)*256+((-32+g0*512+g1*32+g2*8)%16)]:0.0f), ((g2*8+1)>=32&&(g2*8+1)<64?in1[((-32+g0*512+g1*32+(g2*8+1))/512)*512+(((-32+g0*512+g1*32+(g2*8+1))/32)%16)*16+(((-32+g0*512+g1*32+(g2*8+1))/16)%2)*256+((-32+g0*512+g1*32+(g2*8+1))%16)]:0.0f), ((g2*8+2)>=32&&(g2*8+2)<64?in1[((-32+g0*512+g1*32+(g2*8+2))/512)*512+(((-32+g0*512+g1*32+(g2*8+2))/32)%16)*16+(((-32+g0*512+g1*32+(g2*8+2))/16)%2)*256+((-32+g0*512+g1*32+(g2*8+2))%16)]:0.0f), ((g2*8+3)>=32&&(g2*8+3)<64?in1[((-32+g0*512+g1*32+(g2*8+3))/512)*512+(((-32+g0*512+g1*32+(g2*8+3))/32)%16)*16+(((-32+g0*512+g1*32+(g2*8+3))/16)%2)*256+((-32+g0*512+g1*32+(g2*8+3))%16)]:0.0f), ((g2*8+4)>=32&&(g2*8+4)<64?in1[((-32+g0*512+g1*32+(g2*8+4))/512)*512+(((-32+g0*512+g1*32+(g2*8+4))/32)%16)*16+(((-32+g0*512+g1*32+(g2*8+4))/16)%2)*256+((-32+g0*512+g1*32+(g2*8+4))%16)]:0.0f), ((g2*8+5)>=32&&(g2*8+5)<64?in1[((-32+g0*512+g1*32+(g2*8+5))/512)*512+(((-32+g0*512+g1*32+(g2*8+5))/32)%16)*16+(((-32+g0*512+g1*32+(g2*8+5))/16)%2)*256+((-32+g0*512+g1*32+(g2*8+5))%16)]:0.0f), ((g2*8+6)>=32&&(g2*8+6)<64?in1[((-32+g0*512+g1*32+(g2*8+6))/512)*512+(((-32+g0*512+g1*32+(g2*8+6))/32)%16)*16+(((-32+g0*512+g1*32+(g2*8+6))/16)%2)*256+((-32+g0*512+g1*32+(g2*8+6))%16)]:0.0f), ((g2*8+7)>=32&&(g2*8+7)<64?in1[((-32+g0*512+g1*32+(g2*8+7))/512)*512+(((-32+g0*512+g1*32+(g2*8+7))/32)%16)*16+(((-32+g0*512+g1*32+(g2*8+7))/16)%2)*256+((-32+g0*512+g1*32+(g2*8+7))%16)]:0.0f));
  float8 v2 = (v0+v1);
  float8 v3 = (float8)((g2*8>=64?in2[-1024+g0*512+g1+g2*8*16]:0.0f), ((g2*8+1)>=64?in2[-1024+g0*512+g1+(g2*8+1)*16]:0.0f), ((g2*8+2)>=64?in2[-1024+g0*512+g1+(g2*8+2)*16]:0.0f), ((g2*8+3)>=64?in2[-1024+g0*512+g1+(g2*8+3)*16]:0.0f), ((g2*8+4)>=64?in2[-1024+g0*512+g1+(g2*8+4)*16]:0.0f), ((g2*8+5)>=64?in2[-1024+g0*512+g1+(g2*8+5)*16]:0.0f), ((g2*8+6)>=64?in2[-1024+g0*512+g1+(g2*8+6)*16]:0.0f), ((g2*8+7)>=64?in2[-1024+g0*512+g1+(g2*8+7)*16]:0.0f));
  float8 v4 = (v2+v3);
  *(__global ufloat8*)(out+g0*1536+g1*96+g2*8) = v4;
}

// 45: (2, 16, 32) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_96_32_c34271c4(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/4)%2);
  int g3 = (gid%4);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 96; r2++) {
    float8 v0 = *(__global const ufloat8*)(in1+r2*32+g3*8);
    float v1 = in2[g0*1536+g1*8*96+r2];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in2[g0*1536+(g1*8+1)*96+r2];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in2[g0*1536+(g1*8+2)*96+r2];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in2[g0*1536+(g1*8+3)*96+r2];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in2[g0*1536+(g1*8+4)*96+r2];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in2[g0*1536+(g1*8+5)*96+r2];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in2[g0*1536+(g1*8+6)*96+r2];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in2[g0*1536+(g1*8+7)*96+r2];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  float8 v17 = *(__global const ufloat8*)(in0+g3*8);
  float8 v18 = (v17*acc0);
  float8 v19 = (v17*acc1);
  float8 v20 = (v17*acc2);
  float8 v21 = (v17*acc3);
  float8 v22 = (v17*acc4);
  float8 v23 = (v17*acc5);
  float8 v24 = (v17*acc6);
  float8 v25 = (v17*acc7);
  *(__global ufloat8*)(out+g0*512+g1*8*32+g3*8) = v18;
  *(__global ufloat8*)(out+g0*512+(g1*8+1)*32+g3*8) = v19;
  *(__global ufloat8*)(out+g0*512+(g1*8+2)*32+g3*8) = v20;
  *(__global ufloat8*)(out+g0*512+(g1*8+3)*32+g3*8) = v21;
  *(__global ufloat8*)(out+g0*512+(g1*8+4)*32+g3*8) = v22;
  *(__global ufloat8*)(out+g0*512+(g1*8+5)*32+g3*8) = v23;
  *(__global ufloat8*)(out+g0*512+(g1*8+6)*32+g3*8) = v24;
  *(__global ufloat8*)(out+g0*512+(g1*8+7)*32+g3*8) = v25;
}

// 46: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_c0e7bd86(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    float8 v1 = (float8)(in1[g0*512+g1*8*32+r2], in1[g0*512+(g1*8+1)*32+r2], in1[g0*512+(g1*8+2)*32+r2], in1[g0*512+(g1*8+3)*32+r2], in1[g0*512+(g1*8+4)*32+r2], in1[g0*512+(g1*8+5)*32+r2], in1[g0*512+(g1*8+6)*32+r2], in1[g0*512+(g1*8+7)*32+r2]);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
  }
  float8 v3 = *(__global const ufloat8*)(in2+g0*16+g1*8);
  float8 v4 = (v3*2.0f);
  float8 v5 = (acc0/v4);
  float8 v6 = (-v5);
  float8 v7 = *(__global const ufloat8*)(in3+g0*16+g1*8);
  float8 v8 = (v6*v7);
  float8 v9 = (v8*v7);
  float8 v10 = (0.03125f*v9);
  *(__global ufloat8*)(out+g0*16+g1*8) = v10;
}

// 47: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_cc5e18f3(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2, __global const float* in3) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float v0 = in0[g0*16+g1];
  float8 v1 = *(__global const ufloat8*)(in1+g0*512+g1*32+g2*8);
  float8 v2 = (v0*v1);
  float8 v3 = *(__global const ufloat8*)(in2+g0*512+g1*32+g2*8);
  float v4 = in3[g0*16+g1];
  float8 v5 = (v3*v4);
  float8 v6 = (v2+v5);
  float8 v7 = (v6+v5);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v7;
}

// 48: (2, 16, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_16_32_fdf95e62(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/2);
  int g1 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r2 = 0; r2 < 32; r2++) {
    float8 v0 = (float8)(in0[g0*512+g1*8*32+r2], in0[g0*512+(g1*8+1)*32+r2], in0[g0*512+(g1*8+2)*32+r2], in0[g0*512+(g1*8+3)*32+r2], in0[g0*512+(g1*8+4)*32+r2], in0[g0*512+(g1*8+5)*32+r2], in0[g0*512+(g1*8+6)*32+r2], in0[g0*512+(g1*8+7)*32+r2]);
    float8 v1 = (-v0);
    acc0 = (acc0+v1);
  }
  float8 v2 = (0.03125f*acc0);
  *(__global ufloat8*)(out+g0*16+g1*8) = v2;
}

// 49: (2, 16, 32) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_16_32_fbc501e2(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/4)%16);
  int g2 = (gid%4);
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*32+g2*8);
  float8 v1 = *(__global const ufloat8*)(in1+g0*512+g1*32+g2*8);
  float8 v2 = (v0+v1);
  float v3 = in2[g0*16+g1];
  float8 v4 = (v2+v3);
  *(__global ufloat8*)(out+g0*512+g1*32+g2*8) = v4;
}

// 50: () dtypes.float32 global 1 local 1
__kernel void r_2_16_32_8ec1451a(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float acc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r1 = 0; r1 < 16; r1++) {
  for (int r2 = 0; r2 < 32; r2++) {
    float v0 = in0[r0*512+r1*32+r2];
    float v1 = (v0*v0);
    acc0 = (acc0+v1);
  }}}
  float v2 = (acc0*0.0009765625f);
  out[0] = v2;
}
