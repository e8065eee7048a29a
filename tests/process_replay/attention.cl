// 0: (16, 16) dtypes.bool global 256 local 128
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

// 1: (2, 4, 16, 16) dtypes.float32 global 256 local 128
__kernel void r_2_4_16_16_8_fa93f98d(__global float* out, __global const uchar* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/128);
  int g1 = ((gid/32)%4);
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
  for (int r4 = 0; r4 < 8; r4++) {
    float v0 = in1[g0*512+g1*128+g2*8+r4];
    float v1 = in2[g0*512+g1*128+g3*8*8+r4];
    float v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in2[g0*512+g1*128+(g3*8+1)*8+r4];
    float v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in2[g0*512+g1*128+(g3*8+2)*8+r4];
    float v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in2[g0*512+g1*128+(g3*8+3)*8+r4];
    float v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in2[g0*512+g1*128+(g3*8+4)*8+r4];
    float v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in2[g0*512+g1*128+(g3*8+5)*8+r4];
    float v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in2[g0*512+g1*128+(g3*8+6)*8+r4];
    float v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in2[g0*512+g1*128+(g3*8+7)*8+r4];
    float v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  uchar v17 = in0[g2*16+g3*8];
  float v18 = (acc0*0.35355339059327373f);
  float v19 = (v17?v18:(-INFINITY));
  uchar v20 = in0[g2*16+(g3*8+1)];
  float v21 = (acc1*0.35355339059327373f);
  float v22 = (v20?v21:(-INFINITY));
  uchar v23 = in0[g2*16+(g3*8+2)];
  float v24 = (acc2*0.35355339059327373f);
  float v25 = (v23?v24:(-INFINITY));
  uchar v26 = in0[g2*16+(g3*8+3)];
  float v27 = (acc3*0.35355339059327373f);
  float v28 = (v26?v27:(-INFINITY));
  uchar v29 = in0[g2*16+(g3*8+4)];
  float v30 = (acc4*0.35355339059327373f);
  float v31 = (v29?v30:(-INFINITY));
  uchar v32 = in0[g2*16+(g3*8+5)];
  float v33 = (acc5*0.35355339059327373f);
  float v34 = (v32?v33:(-INFINITY));
  uchar v35 = in0[g2*16+(g3*8+6)];
  float v36 = (acc6*0.35355339059327373f);
  float v37 = (v35?v36:(-INFINITY));
  uchar v38 = in0[g2*16+(g3*8+7)];
  float v39 = (acc7*0.35355339059327373f);
  float v40 = (v38?v39:(-INFINITY));
  out[g0*1024+g1*256+g2*16+g3*8] = v19;
  out[g0*1024+g1*256+g2*16+(g3*8+1)] = v22;
  out[g0*1024+g1*256+g2*16+(g3*8+2)] = v25;
  out[g0*1024+g1*256+g2*16+(g3*8+3)] = v28;
  out[g0*1024+g1*256+g2*16+(g3*8+4)] = v31;
  out[g0*1024+g1*256+g2*16+(g3*8+5)] = v34;
  out[g0*1024+g1*256+g2*16+(g3*8+6)] = v37;
  out[g0*1024+g1*256+g2*16+(g3*8+7)] = v40;
}

// 2: (2, 4, 16, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_16_f7185f4b(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g2 = (gid%2);
  float8 acc0 = -INFINITY;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[g0*1024+g1*256+g2*8*16+r3], in0[g0*1024+g1*256+(g2*8+1)*16+r3], in0[g0*1024+g1*256+(g2*8+2)*16+r3], in0[g0*1024+g1*256+(g2*8+3)*16+r3], in0[g0*1024+g1*256+(g2*8+4)*16+r3], in0[g0*1024+g1*256+(g2*8+5)*16+r3], in0[g0*1024+g1*256+(g2*8+6)*16+r3], in0[g0*1024+g1*256+(g2*8+7)*16+r3]);
    acc0 = fmax(acc0,v0);
  }
  *(__global ufloat8*)(out+g0*64+g1*16+g2*8) = acc0;
}

// 3: (2, 4, 16, 16) dtypes.float32 global 256 local 128
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_4_16_16_329e1629(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/128);
  int g1 = ((gid/32)%4);
  int g2 = ((gid/2)%16);
  int g3 = (gid%2);
  float8 v0 = *(__global const ufloat8*)(in0+g0*1024+g1*256+g2*16+g3*8);
  float v1 = in1[g0*64+g1*16+g2];
  float8 v2 = (v0-v1);
  float8 v3 = (v2*1.4426950408889634f);
  float8 v4 = exp2(v3);
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*16+g3*8) = v4;
}

// 4: (2, 4, 16, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_16_d8d52288(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g2 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[g0*1024+g1*256+g2*8*16+r3], in0[g0*1024+g1*256+(g2*8+1)*16+r3], in0[g0*1024+g1*256+(g2*8+2)*16+r3], in0[g0*1024+g1*256+(g2*8+3)*16+r3], in0[g0*1024+g1*256+(g2*8+4)*16+r3], in0[g0*1024+g1*256+(g2*8+5)*16+r3], in0[g0*1024+g1*256+(g2*8+6)*16+r3], in0[g0*1024+g1*256+(g2*8+7)*16+r3]);
    acc0 = (acc0+v0);
  }
  *(__global ufloat8*)(out+g0*64+g1*16+g2*8) = acc0;
}

// 5: (2, 4, 16, 16) dtypes.float32 global 256 local 128
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_4_16_16_196aaf96(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/128);
  int g1 = ((gid/32)%4);
  int g2 = ((gid/2)%16);
  int g3 = (gid%2);
  float8 v0 = *(__global const ufloat8*)(in0+g0*1024+g1*256+g2*16+g3*8);
  float v1 = in1[g0*64+g1*16+g2];
  float8 v2 = (v0/v1);
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*16+g3*8) = v2;
}

// 6: (2, 4, 16, 8, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_8_16_13f13d36(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g2 = (gid%2);
  int g3 = 0;
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r4 = 0; r4 < 16; r4++) {
    float v0 = in0[g0*1024+g1*256+g2*8*16+r4];
    float8 v1 = *(__global const ufloat8*)(in1+g0*512+g1*128+g3*8+r4*8);
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in0[g0*1024+g1*256+(g2*8+1)*16+r4];
    float8 v4 = (v3*v1);
    acc1 = (acc1+v4);
    float v5 = in0[g0*1024+g1*256+(g2*8+2)*16+r4];
    float8 v6 = (v5*v1);
    acc2 = (acc2+v6);
    float v7 = in0[g0*1024+g1*256+(g2*8+3)*16+r4];
    float8 v8 = (v7*v1);
    acc3 = (acc3+v8);
    float v9 = in0[g0*1024+g1*256+(g2*8+4)*16+r4];
    float8 v10 = (v9*v1);
    acc4 = (acc4+v10);
    float v11 = in0[g0*1024+g1*256+(g2*8+5)*16+r4];
    float8 v12 = (v11*v1);
    acc5 = (acc5+v12);
    float v13 = in0[g0*1024+g1*256+(g2*8+6)*16+r4];
    float8 v14 = (v13*v1);
    acc6 = (acc6+v14);
    float v15 = in0[g0*1024+g1*256+(g2*8+7)*16+r4];
    float8 v16 = (v15*v1);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*128+g2*8*8+g3*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+1)*8+g3*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+2)*8+g3*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+3)*8+g3*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+4)*8+g3*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+5)*8+g3*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+6)*8+g3*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+7)*8+g3*8) = acc7;
}

// 7: (2, 4, 16, 8) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void e_2_4_16_8_cfc44e5a(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/64);
  int g1 = ((gid/16)%4);
  int g2 = (gid%16);
  int g3 = 0;
  float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+g2*8+g3*8);
  float8 v1 = (v0*1.0f);
  float8 v2 = (v1+v1);
  *(__global ufloat8*)(out+g0*512+g1*128+g2*8+g3*8) = v2;
}

// 8: (2, 4, 1, 8, 16) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_8_16_bd020eae(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g3 = 0;
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
    float v1 = in1[g0*512+g1*128+r2*8+g3*8];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+g1*128+r2*8+(g3*8+1)];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+g1*128+r2*8+(g3*8+2)];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+g1*128+r2*8+(g3*8+3)];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+g1*128+r2*8+(g3*8+4)];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+g1*128+r2*8+(g3*8+5)];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+g1*128+r2*8+(g3*8+6)];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+g1*128+r2*8+(g3*8+7)];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*128+g3*8*16+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+1)*16+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+2)*16+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+3)*16+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+4)*16+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+5)*16+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+6)*16+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+7)*16+g4*8) = acc7;
}

// 9: (2, 4, 16, 1, 16) dtypes.float32 global 32 local 16
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_8_16_eae6bcdd(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/16);
  int g1 = ((gid/4)%4);
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
  for (int r3 = 0; r3 < 8; r3++) {
    float8 v0 = (float8)(in0[g0*512+g1*128+r3+g4*8*8], in0[g0*512+g1*128+r3+(g4*8+1)*8], in0[g0*512+g1*128+r3+(g4*8+2)*8], in0[g0*512+g1*128+r3+(g4*8+3)*8], in0[g0*512+g1*128+r3+(g4*8+4)*8], in0[g0*512+g1*128+r3+(g4*8+5)*8], in0[g0*512+g1*128+r3+(g4*8+6)*8], in0[g0*512+g1*128+r3+(g4*8+7)*8]);
    float v1 = in1[g0*512+g1*128+g2*8*8+r3];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*512+g1*128+(g2*8+1)*8+r3];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*512+g1*128+(g2*8+2)*8+r3];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*512+g1*128+(g2*8+3)*8+r3];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*512+g1*128+(g2*8+4)*8+r3];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*512+g1*128+(g2*8+5)*8+r3];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*512+g1*128+(g2*8+6)*8+r3];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*512+g1*128+(g2*8+7)*8+r3];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*1024+g1*256+g2*8*16+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*1024+g1*256+(g2*8+1)*16+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*1024+g1*256+(g2*8+2)*16+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*1024+g1*256+(g2*8+3)*16+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*1024+g1*256+(g2*8+4)*16+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*1024+g1*256+(g2*8+5)*16+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*1024+g1*256+(g2*8+6)*16+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*1024+g1*256+(g2*8+7)*16+g4*8) = acc7;
}

// 10: (2, 4, 16, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_16_46791378(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g2 = (gid%2);
  float8 acc0 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = (float8)(in0[g0*1024+g1*256+g2*8*16+r3], in0[g0*1024+g1*256+(g2*8+1)*16+r3], in0[g0*1024+g1*256+(g2*8+2)*16+r3], in0[g0*1024+g1*256+(g2*8+3)*16+r3], in0[g0*1024+g1*256+(g2*8+4)*16+r3], in0[g0*1024+g1*256+(g2*8+5)*16+r3], in0[g0*1024+g1*256+(g2*8+6)*16+r3], in0[g0*1024+g1*256+(g2*8+7)*16+r3]);
    float8 v1 = (-v0);
    float8 v2 = (float8)(in1[g0*1024+g1*256+g2*8*16+r3], in1[g0*1024+g1*256+(g2*8+1)*16+r3], in1[g0*1024+g1*256+(g2*8+2)*16+r3], in1[g0*1024+g1*256+(g2*8+3)*16+r3], in1[g0*1024+g1*256+(g2*8+4)*16+r3], in1[g0*1024+g1*256+(g2*8+5)*16+r3], in1[g0*1024+g1*256+(g2*8+6)*16+r3], in1[g0*1024+g1*256+(g2*8+7)*16+r3]);
    float8 v3 = (v1*v2);
    float8 v4 = *(__global const ufloat8*)(in2+g0*64+g1*16+g2*8);
    float8 v5 = (v4*v4);
    float8 v6 = (v3/v5);
    acc0 = (acc0+v6);
  }
  *(__global ufloat8*)(out+g0*64+g1*16+g2*8) = acc0;
}

// 11: (2, 4, 16, 16) dtypes.float32 global 2048 local 1024
__kernel void e_2_4_16_16_fafa7ba1(__global float* out, __global const uchar* in0, __global const float* in1, __global const float* in2, __global const float* in3, __global const float* in4) {
  int gid = get_global_id(0);
  int g0 = (gid/1024);
  int g1 = ((gid/256)%4);
  int g2 = ((gid/16)%16);
  int g3 = (gid%16);
  uchar v0 = in0[g2*16+g3];
  float v1 = in1[g0*1024+g1*256+g2*16+g3];
  float v2 = in2[g0*1024+g1*256+g2*16+g3];
  float v3 = in3[g0*64+g1*16+g2];
  float v4 = (v2/v3);
  float v5 = in4[g0*64+g1*16+g2];
  float v6 = (v4+v5);
  float v7 = (v1*v6);
  float v8 = (v0?v7:0.0f);
  float v9 = (0.35355339059327373f*v8);
  out[g0*1024+g1*256+g2*16+g3] = v9;
}

// 12: (2, 4, 1, 16, 8) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_16_8_2cdb1ac6(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g3 = (gid%2);
  int g4 = 0;
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 16; r2++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+r2*8+g4*8);
    float v1 = in1[g0*1024+g1*256+r2*16+g3*8];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*1024+g1*256+r2*16+(g3*8+1)];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*1024+g1*256+r2*16+(g3*8+2)];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*1024+g1*256+r2*16+(g3*8+3)];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*1024+g1*256+r2*16+(g3*8+4)];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*1024+g1*256+r2*16+(g3*8+5)];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*1024+g1*256+r2*16+(g3*8+6)];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*1024+g1*256+r2*16+(g3*8+7)];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*128+g3*8*8+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+1)*8+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+2)*8+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+3)*8+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+4)*8+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+5)*8+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+6)*8+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*128+(g3*8+7)*8+g4*8) = acc7;
}

// 13: (2, 4, 16, 1, 8) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_4_16_16_8_68fc9096(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/8);
  int g1 = ((gid/2)%4);
  int g2 = (gid%2);
  int g4 = 0;
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 16; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*512+g1*128+r3*8+g4*8);
    float v1 = in1[g0*1024+g1*256+g2*8*16+r3];
    float8 v2 = (v0*v1);
    acc0 = (acc0+v2);
    float v3 = in1[g0*1024+g1*256+(g2*8+1)*16+r3];
    float8 v4 = (v0*v3);
    acc1 = (acc1+v4);
    float v5 = in1[g0*1024+g1*256+(g2*8+2)*16+r3];
    float8 v6 = (v0*v5);
    acc2 = (acc2+v6);
    float v7 = in1[g0*1024+g1*256+(g2*8+3)*16+r3];
    float8 v8 = (v0*v7);
    acc3 = (acc3+v8);
    float v9 = in1[g0*1024+g1*256+(g2*8+4)*16+r3];
    float8 v10 = (v0*v9);
    acc4 = (acc4+v10);
    float v11 = in1[g0*1024+g1*256+(g2*8+5)*16+r3];
    float8 v12 = (v0*v11);
    acc5 = (acc5+v12);
    float v13 = in1[g0*1024+g1*256+(g2*8+6)*16+r3];
    float8 v14 = (v0*v13);
    acc6 = (acc6+v14);
    float v15 = in1[g0*1024+g1*256+(g2*8+7)*16+r3];
    float8 v16 = (v0*v15);
    acc7 = (acc7+v16);
  }
  *(__global ufloat8*)(out+g0*512+g1*128+g2*8*8+g4*8) = acc0;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+1)*8+g4*8) = acc1;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+2)*8+g4*8) = acc2;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+3)*8+g4*8) = acc3;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+4)*8+g4*8) = acc4;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+5)*8+g4*8) = acc5;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+6)*8+g4*8) = acc6;
  *(__global ufloat8*)(out+g0*512+g1*128+(g2*8+7)*8+g4*8) = acc7;
}

// 14: (1, 1, 1, 1) dtypes.float32 global 1 local 1
__kernel void r_2_4_16_8_c431476b(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float acc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r1 = 0; r1 < 4; r1++) {
  for (int r2 = 0; r2 < 16; r2++) {
  for (int r3 = 0; r3 < 8; r3++) {
    float v0 = in0[r0*512+r1*128+r2*8+r3];
    float v1 = (v0*v0);
    acc0 = (acc0+v1);
  }}}}
  out[0] = acc0;
}
