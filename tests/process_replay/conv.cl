// 0: () dtypes.float32 global 1 local 1
__kernel void e_1_57411e35(__global float* out) {
  int gid = get_global_id(0);
  float v0 = (0.001953125f*1.0f);
  out[gid] = v0;
}

// 1: (2, 4, 8, 8) dtypes.float32 global 8 local 4
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_1_4_3_8_8_3_3_cb35ddc9(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
  int gid = get_global_id(0);
  int g0 = (gid/4);
  int g2 = (gid%4);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 3; r3++) {
  for (int r6 = 0; r6 < 3; r6++) {
  for (int r7 = 0; r7 < 3; r7++) {
    int v0 = (r6>=1)&(r7>=1);
    int v1 = (r6>=1);
    int v2 = (r6>=1)&(r7+7<9);
    float8 v3 = (float8)(select((float)0.0f, in0[(v0?g0*192+r3*64+r6*8+r7-9:0)], (int)v0), select((float)0.0f, in0[(v1?g0*192+r3*64+r6*8+r7-8:0)], (int)v1), select((float)0.0f, in0[(v1?g0*192+r3*64+r6*8+r7-7:0)], (int)v1), select((float)0.0f, in0[(v1?g0*192+r3*64+r6*8+r7-6:0)], (int)v1), select((float)0.0f, in0[(v1?g0*192+r3*64+r6*8+r7-5:0)], (int)v1), select((float)0.0f, in0[(v1?g0*192+r3*64+r6*8+r7-4:0)], (int)v1), select((float)0.0f, in0[(v1?g0*192+r3*64+r6*8+r7-3:0)], (int)v1), select((float)0.0f, in0[(v2?g0*192+r3*64+r6*8+r7-2:0)], (int)v2));
    float v4 = in1[g2*27+r3*9+r6*3+r7];
    acc0 = (acc0+v3*v4);
    int v5 = (r7>=1);
    int v6 = (r7+7<9);
    float8 v7 = (float8)(select((float)0.0f, in0[(v5?g0*192+r3*64+r6*8+r7-1:0)], (int)v5), in0[g0*192+r3*64+r6*8+r7], in0[g0*192+r3*64+r6*8+r7+1], in0[g0*192+r3*64+r6*8+r7+2], in0[g0*192+r3*64+r6*8+r7+3], in0[g0*192+r3*64+r6*8+r7+4], in0[g0*192+r3*64+r6*8+r7+5], select((float)0.0f, in0[(v6?g0*192+r3*64+r6*8+r7+6:0)], (int)v6));
    acc1 = (acc1+v7*v4);
    float8 v8 = (float8)(select((float)0.0f, in0[(v5?g0*192+r3*64+r6*8+r7+7:0)], (int)v5), in0[g0*192+r3*64+r6*8+r7+8], in0[g0*192+r3*64+r6*8+r7+9], in0[g0*192+r3*64+r6*8+r7+10], in0[g0*192+r3*64+r6*8+r7+11], in0[g0*192+r3*64+r6*8+r7+12], in0[g0*192+r3*64+r6*8+r7+13], select((float)0.0f, in0[(v6?g0*192+r3*64+r6*8+r7+14:0)], (int)v6));
    acc2 = (acc2+v8*v4);
    float8 v9 = (float8)(select((float)0.0f, in0[(v5?g0*192+r3*64+r6*8+r7+15:0)], (int)v5), in0[g0*192+r3*64+r6*8+r7+16], in0[g0*192+r3*64+r6*8+r7+17], in0[g0*192+r3*64+r6*8+r7+18], in0[g0*192+r3*64+r6*8+r7+19], in0[g0*192+r3*64+r6*8+r7+20], in0[g0*192+r3*64+r6*8+r7+21], select((float)0.0f, in0[(v6?g0*192+r3*64+r6*8+r7+22:0)], (int)v6));
    acc3 = (acc3+v9*v4);
    float8 v10 = (float8)(select((float)0.0f, in0[(v5?g0*192+r3*64+r6*8+r7+23:0)], (int)v5), in0[g0*192+r3*64+r6*8+r7+24], in0[g0*192+r3*64+r6*8+r7+25], in0[g0*192+r3*64+r6*8+r7+26], in0[g0*192+r3*64+r6*8+r7+27], in0[g0*192+r3*64+r6*8+r7+28], in0[g0*192+r3*64+r6*8+r7+29], select((float)0.0f, in0[(v6?g0*192+r3*64+r6*8+r7+30:0)], (int)v6));
    acc4 = (acc4+v10*v4);
    float8 v11 = (float8)(select((float)0.0f, in0[(v5?g0*192+r3*64+r6*8+r7+31:0)], (int)v5), in0[g0*192+r3*64+r6*8+r7+32], in0[g0*192+r3*64+r6*8+r7+33], in0[g0*192+r3*64+r6*8+r7+34], in0[g0*192+r3*64+r6*8+r7+35], in0[g0*192+r3*64+r6*8+r7+36], in0[g0*192+r3*64+r6*8+r7+37], select((float)0.0f, in0[(v6?g0*192+r3*64+r6*8+r7+38:0)], (int)v6));
    acc5 = (acc5+v11*v4);
    float8 v12 = (float8)(select((float)0.0f, in0[(v5?g0*192+r3*64+r6*8+r7+39:0)], (int)v5), in0[g0*192+r3*64+r6*8+r7+40], in0[g0*192+r3*64+r6*8+r7+41], in0[g0*192+r3*64+r6*8+r7+42], in0[g0*192+r3*64+r6*8+r7+43], in0[g0*192+r3*64+r6*8+r7+44], in0[g0*192+r3*64+r6*8+r7+45], select((float)0.0f, in0[(v6?g0*192+r3*64+r6*8+r7+46:0)], (int)v6));
    acc6 = (acc6+v12*v4);
    int v13 = (r6+7<9)&(r7>=1);
    int v14 = (r6+7<9);
    int v15 = (r6+7<9)&(r7+7<9);
    float8 v16 = (float8)(select((float)0.0f, in0[(v13?g0*192+r3*64+r6*8+r7+47:0)], (int)v13), select((float)0.0f, in0[(v14?g0*192+r3*64+r6*8+r7+48:0)], (int)v14), select((float)0.0f, in0[(v14?g0*192+r3*64+r6*8+r7+49:0)], (int)v14), select((float)0.0f, in0[(v14?g0*192+r3*64+r6*8+r7+50:0)], (int)v14), select((float)0.0f, in0[(v14?g0*192+r3*64+r6*8+r7+51:0)], (int)v14), select((float)0.0f, in0[(v14?g0*192+r3*64+r6*8+r7+52:0)], (int)v14), select((float)0.0f, in0[(v14?g0*192+r3*64+r6*8+r7+53:0)], (int)v14), select((float)0.0f, in0[(v15?g0*192+r3*64+r6*8+r7+54:0)], (int)v15));
    acc7 = (acc7+v16*v4);
  }}}
  float v17 = in2[g2];
  float8 v18 = (acc0+v17);
  float8 v19 = (((v18>0.0f)||(v18!=v18))?v18:0.0f);
  float8 v20 = (acc1+v17);
  float8 v21 = (((v20>0.0f)||(v20!=v20))?v20:0.0f);
  float8 v22 = (acc2+v17);
  float8 v23 = (((v22>0.0f)||(v22!=v22))?v22:0.0f);
  float8 v24 = (acc3+v17);
  float8 v25 = (((v24>0.0f)||(v24!=v24))?v24:0.0f);
  float8 v26 = (acc4+v17);
  float8 v27 = (((v26>0.0f)||(v26!=v26))?v26:0.0f);
  float8 v28 = (acc5+v17);
  float8 v29 = (((v28>0.0f)||(v28!=v28))?v28:0.0f);
  float8 v30 = (acc6+v17);
  float8 v31 = (((v30>0.0f)||(v30!=v30))?v30:0.0f);
  float8 v32 = (acc7+v17);
  float8 v33 = (((v32>0.0f)||(v32!=v32))?v32:0.0f);
  *(__global ufloat8*)(out+g0*256+g2*64) = v19;
  *(__global ufloat8*)(out+g0*256+g2*64+8) = v21;
  *(__global ufloat8*)(out+g0*256+g2*64+16) = v23;
  *(__global ufloat8*)(out+g0*256+g2*64+24) = v25;
  *(__global ufloat8*)(out+g0*256+g2*64+32) = v27;
  *(__global ufloat8*)(out+g0*256+g2*64+40) = v29;
  *(__global ufloat8*)(out+g0*256+g2*64+48) = v31;
  *(__global ufloat8*)(out+g0*256+g2*64+56) = v33;
}

// 2: (2, 4, 8, 8) dtypes.float32 global 512 local 256
__kernel void e_2_4_8_8_a0e47fdc(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/64)%4);
  int g2 = ((gid/8)%8);
  int g3 = (gid%8);
  float v0 = in0[g0*256+g1*64+g2*8+g3];
  uchar v1 = (0.0f<v0);
  float v2 = (v1?(float)1:(float)0);
  float v3 = in1[0];
  float v4 = (v2*v3);
  out[g0*256+g1*64+g2*8+g3] = v4;
}

// 3: (1, 4, 1, 1) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_8_8_2bf2d565(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g1 = gid;
  float8 vacc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r2 = 0; r2 < 8; r2++) {
  for (int r3 = 0; r3 < 1; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+r0*256+g1*64+r2*8+r3*8);
    vacc0 = (vacc0+v0);
  }}}
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  out[g1] = acc0;
}

// 4: (1, 1, 4, 3, 1, 1, 3, 3) dtypes.float32 global 108 local 54
__kernel void r_2_1_4_3_8_8_3_3_34ee78b0(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g2 = (gid/27);
  int g3 = ((gid/9)%3);
  int g6 = ((gid/3)%3);
  int g7 = (gid%3);
  float acc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r4 = 0; r4 < 8; r4++) {
  for (int r5 = 0; r5 < 8; r5++) {
    int v0 = (r4+g6>=1)&(r4+g6<9)&(r5+g7>=1)&(r5+g7<9);
    float v1 = select((float)0.0f, in0[(v0?r0*192+g3*64+r4*8+g6*8+r5+g7-9:0)], (int)v0);
    float v2 = in1[r0*256+g2*64+r4*8+r5];
    acc0 = (acc0+v1*v2);
  }}}
  out[g2*27+g3*9+g6*3+g7] = acc0;
}

// 5: (2, 1, 3, 1, 8, 8, 1, 1) dtypes.float32 global 6 local 3
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_1_3_4_8_8_3_3_07129e23(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/3);
  int g2 = (gid%3);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r3 = 0; r3 < 4; r3++) {
  for (int r6 = 0; r6 < 3; r6++) {
  for (int r7 = 0; r7 < 3; r7++) {
    int v0 = (r6>=1)&(r7>=1);
    int v1 = (r6>=1);
    int v2 = (r6>=1)&(r7+7<9);
    float8 v3 = (float8)(select((float)0.0f, in0[(v0?g0*256+r3*64+r6*8+r7-9:0)], (int)v0), select((float)0.0f, in0[(v1?g0*256+r3*64+r6*8+r7-8:0)], (int)v1), select((float)0.0f, in0[(v1?g0*256+r3*64+r6*8+r7-7:0)], (int)v1), select((float)0.0f, in0[(v1?g0*256+r3*64+r6*8+r7-6:0)], (int)v1), select((float)0.0f, in0[(v1?g0*256+r3*64+r6*8+r7-5:0)], (int)v1), select((float)0.0f, in0[(v1?g0*256+r3*64+r6*8+r7-4:0)], (int)v1), select((float)0.0f, in0[(v1?g0*256+r3*64+r6*8+r7-3:0)], (int)v1), select((float)0.0f, in0[(v2?g0*256+r3*64+r6*8+r7-2:0)], (int)v2));
    float v4 = in1[g2*9+r3*27+r6*-3+r7*-1+8];
    acc0 = (acc0+v3*v4);
    int v5 = (r7>=1);
    int v6 = (r7+7<9);
    float8 v7 = (float8)(select((float)0.0f, in0[(v5?g0*256+r3*64+r6*8+r7-1:0)], (int)v5), in0[g0*256+r3*64+r6*8+r7], in0[g0*256+r3*64+r6*8+r7+1], in0[g0*256+r3*64+r6*8+r7+2], in0[g0*256+r3*64+r6*8+r7+3], in0[g0*256+r3*64+r6*8+r7+4], in0[g0*256+r3*64+r6*8+r7+5], select((float)0.0f, in0[(v6?g0*256+r3*64+r6*8+r7+6:0)], (int)v6));
    acc1 = (acc1+v7*v4);
    float8 v8 = (float8)(select((float)0.0f, in0[(v5?g0*256+r3*64+r6*8+r7+7:0)], (int)v5), in0[g0*256+r3*64+r6*8+r7+8], in0[g0*256+r3*64+r6*8+r7+9], in0[g0*256+r3*64+r6*8+r7+10], in0[g0*256+r3*64+r6*8+r7+11], in0[g0*256+r3*64+r6*8+r7+12], in0[g0*256+r3*64+r6*8+r7+13], select((float)0.0f, in0[(v6?g0*256+r3*64+r6*8+r7+14:0)], (int)v6));
    acc2 = (acc2+v8*v4);
    float8 v9 = (float8)(select((float)0.0f, in0[(v5?g0*256+r3*64+r6*8+r7+15:0)], (int)v5), in0[g0*256+r3*64+r6*8+r7+16], in0[g0*256+r3*64+r6*8+r7+17], in0[g0*256+r3*64+r6*8+r7+18], in0[g0*256+r3*64+r6*8+r7+19], in0[g0*256+r3*64+r6*8+r7+20], in0[g0*256+r3*64+r6*8+r7+21], select((float)0.0f, in0[(v6?g0*256+r3*64+r6*8+r7+22:0)], (int)v6));
    acc3 = (acc3+v9*v4);
    float8 v10 = (float8)(select((float)0.0f, in0[(v5?g0*256+r3*64+r6*8+r7+23:0)], (int)v5), in0[g0*256+r3*64+r6*8+r7+24], in0[g0*256+r3*64+r6*8+r7+25], in0[g0*256+r3*64+r6*8+r7+26], in0[g0*256+r3*64+r6*8+r7+27], in0[g0*256+r3*64+r6*8+r7+28], in0[g0*256+r3*64+r6*8+r7+29], select((float)0.0f, in0[(v6?g0*256+r3*64+r6*8+r7+30:0)], (int)v6));
    acc4 = (acc4+v10*v4);
    float8 v11 = (float8)(select((float)0.0f, in0[(v5?g0*256+r3*64+r6*8+r7+31:0)], (int)v5), in0[g0*256+r3*64+r6*8+r7+32], in0[g0*256+r3*64+r6*8+r7+33], in0[g0*256+r3*64+r6*8+r7+34], in0[g0*256+r3*64+r6*8+r7+35], in0[g0*256+r3*64+r6*8+r7+36], in0[g0*256+r3*64+r6*8+r7+37], select((float)0.0f, in0[(v6?g0*256+r3*64+r6*8+r7+38:0)], (int)v6));
    acc5 = (acc5+v11*v4);
    float8 v12 = (float8)(select((float)0.0f, in0[(v5?g0*256+r3*64+r6*8+r7+39:0)], (int)v5), in0[g0*256+r3*64+r6*8+r7+40], in0[g0*256+r3*64+r6*8+r7+41], in0[g0*256+r3*64+r6*8+r7+42], in0[g0*256+r3*64+r6*8+r7+43], in0[g0*256+r3*64+r6*8+r7+44], in0[g0*256+r3*64+r6*8+r7+45], select((float)0.0f, in0[(v6?g0*256+r3*64+r6*8+r7+46:0)], (int)v6));
    acc6 = (acc6+v12*v4);
    int v13 = (r6+7<9)&(r7>=1);
    int v14 = (r6+7<9);
    int v15 = (r6+7<9)&(r7+7<9);
    float8 v16 = (float8)(select((float)0.0f, in0[(v13?g0*256+r3*64+r6*8+r7+47:0)], (int)v13), select((float)0.0f, in0[(v14?g0*256+r3*64+r6*8+r7+48:0)], (int)v14), select((float)0.0f, in0[(v14?g0*256+r3*64+r6*8+r7+49:0)], (int)v14), select((float)0.0f, in0[(v14?g0*256+r3*64+r6*8+r7+50:0)], (int)v14), select((float)0.0f, in0[(v14?g0*256+r3*64+r6*8+r7+51:0)], (int)v14), select((float)0.0f, in0[(v14?g0*256+r3*64+r6*8+r7+52:0)], (int)v14), select((float)0.0f, in0[(v14?g0*256+r3*64+r6*8+r7+53:0)], (int)v14), select((float)0.0f, in0[(v15?g0*256+r3*64+r6*8+r7+54:0)], (int)v15));
    acc7 = (acc7+v16*v4);
  }}}
  *(__global ufloat8*)(out+g0*192+g2*64) = acc0;
  *(__global ufloat8*)(out+g0*192+g2*64+8) = acc1;
  *(__global ufloat8*)(out+g0*192+g2*64+16) = acc2;
  *(__global ufloat8*)(out+g0*192+g2*64+24) = acc3;
  *(__global ufloat8*)(out+g0*192+g2*64+32) = acc4;
  *(__global ufloat8*)(out+g0*192+g2*64+40) = acc5;
  *(__global ufloat8*)(out+g0*192+g2*64+48) = acc6;
  *(__global ufloat8*)(out+g0*192+g2*64+56) = acc7;
}

// 6: () dtypes.float32 global 1 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_4_8_8_860a4dcc(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float8 vacc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r1 = 0; r1 < 4; r1++) {
  for (int r2 = 0; r2 < 8; r2++) {
  for (int r3 = 0; r3 < 1; r3++) {
    float8 v0 = *(__global const ufloat8*)(in0+r0*256+r1*64+r2*8+r3*8);
    vacc0 = (vacc0+v0);
  }}}}
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  float v1 = (acc0*0.001953125f);
  out[gid] = v1;
}
