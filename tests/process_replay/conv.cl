// 0: () dtypes.float32 global 1 local 1
__kernel void e_1_57411e35(__global float* out) {
  int gid = get_global_id(0);
  float v0 = (0.001953125f*1.0f);
  out[gid] = v0;
}

// 1: (2, 4, 8, 8) dtypes.float32 global 8 local 4
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_1_4_3_8_8_3_3_ce69517e(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
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
    float v1 = in0[(v0?g0*192+r3*64+r6*8+r7-9:0)];
    int v2 = (r6>=1);
    float v3 = in0[(v2?g0*192+r3*64+r6*8+r7-8:0)];
    float v4 = in0[(v2?g0*192+r3*64+r6*8+r7-7:0)];
    float v5 = in0[(v2?g0*192+r3*64+r6*8+r7-6:0)];
    float v6 = in0[(v2?g0*192+r3*64+r6*8+r7-5:0)];
    float v7 = in0[(v2?g0*192+r3*64+r6*8+r7-4:0)];
    float v8 = in0[(v2?g0*192+r3*64+r6*8+r7-3:0)];
    int v9 = (r6>=1)&(r7+7<9);
    float v10 = in0[(v9?g0*192+r3*64+r6*8+r7-2:0)];
    float8 v11 = (float8)((v0?v1:0.0f), (v2?v3:0.0f), (v2?v4:0.0f), (v2?v5:0.0f), (v2?v6:0.0f), (v2?v7:0.0f), (v2?v8:0.0f), (v9?v10:0.0f));
    float v12 = in1[g2*27+r3*9+r6*3+r7];
    acc0 = (acc0+v11*v12);
    int v13 = (r7>=1);
    float v14 = in0[(v13?g0*192+r3*64+r6*8+r7-1:0)];
    int v15 = (r7+7<9);
    float v16 = in0[(v15?g0*192+r3*64+r6*8+r7+6:0)];
    float8 v17 = (float8)((v13?v14:0.0f), in0[g0*192+r3*64+r6*8+r7], in0[g0*192+r3*64+r6*8+r7+1], in0[g0*192+r3*64+r6*8+r7+2], in0[g0*192+r3*64+r6*8+r7+3], in0[g0*192+r3*64+r6*8+r7+4], in0[g0*192+r3*64+r6*8+r7+5], (v15?v16:0.0f));
    acc1 = (acc1+v17*v12);
    float v18 = in0[(v13?g0*192+r3*64+r6*8+r7+7:0)];
    float v19 = in0[(v15?g0*192+r3*64+r6*8+r7+14:0)];
    float8 v20 = (float8)((v13?v18:0.0f), in0[g0*192+r3*64+r6*8+r7+8], in0[g0*192+r3*64+r6*8+r7+9], in0[g0*192+r3*64+r6*8+r7+10], in0[g0*192+r3*64+r6*8+r7+11], in0[g0*192+r3*64+r6*8+r7+12], in0[g0*192+r3*64+r6*8+r7+13], (v15?v19:0.0f));
    acc2 = (acc2+v20*v12);
    float v21 = in0[(v13?g0*192+r3*64+r6*8+r7+15:0)];
    float v22 = in0[(v15?g0*192+r3*64+r6*8+r7+22:0)];
    float8 v23 = (float8)((v13?v21:0.0f), in0[g0*192+r3*64+r6*8+r7+16], in0[g0*192+r3*64+r6*8+r7+17], in0[g0*192+r3*64+r6*8+r7+18], in0[g0*192+r3*64+r6*8+r7+19], in0[g0*192+r3*64+r6*8+r7+20], in0[g0*192+r3*64+r6*8+r7+21], (v15?v22:0.0f));
    acc3 = (acc3+v23*v12);
    float v24 = in0[(v13?g0*192+r3*64+r6*8+r7+23:0)];
    float v25 = in0[(v15?g0*192+r3*64+r6*8+r7+30:0)];
    float8 v26 = (float8)((v13?v24:0.0f), in0[g0*192+r3*64+r6*8+r7+24], in0[g0*192+r3*64+r6*8+r7+25], in0[g0*192+r3*64+r6*8+r7+26], in0[g0*192+r3*64+r6*8+r7+27], in0[g0*192+r3*64+r6*8+r7+28], in0[g0*192+r3*64+r6*8+r7+29], (v15?v25:0.0f));
    acc4 = (acc4+v26*v12);
    float v27 = in0[(v13?g0*192+r3*64+r6*8+r7+31:0)];
    float v28 = in0[(v15?g0*192+r3*64+r6*8+r7+38:0)];
    float8 v29 = (float8)((v13?v27:0.0f), in0[g0*192+r3*64+r6*8+r7+32], in0[g0*192+r3*64+r6*8+r7+33], in0[g0*192+r3*64+r6*8+r7+34], in0[g0*192+r3*64+r6*8+r7+35], in0[g0*192+r3*64+r6*8+r7+36], in0[g0*192+r3*64+r6*8+r7+37], (v15?v28:0.0f));
    acc5 = (acc5+v29*v12);
    float v30 = in0[(v13?g0*192+r3*64+r6*8+r7+39:0)];
    float v31 = in0[(v15?g0*192+r3*64+r6*8+r7+46:0)];
    float8 v32 = (float8)((v13?v30:0.0f), in0[g0*192+r3*64+r6*8+r7+40], in0[g0*192+r3*64+r6*8+r7+41], in0[g0*192+r3*64+r6*8+r7+42], in0[g0*192+r3*64+r6*8+r7+43], in0[g0*192+r3*64+r6*8+r7+44], in0[g0*192+r3*64+r6*8+r7+45], (v15?v31:0.0f));
    acc6 = (acc6+v32*v12);
    int v33 = (r6+7<9)&(r7>=1);
    float v34 = in0[(v33?g0*192+r3*64+r6*8+r7+47:0)];
    int v35 = (r6+7<9);
    float v36 = in0[(v35?g0*192+r3*64+r6*8+r7+48:0)];
    float v37 = in0[(v35?g0*192+r3*64+r6*8+r7+49:0)];
    float v38 = in0[(v35?g0*192+r3*64+r6*8+r7+50:0)];
    float v39 = in0[(v35?g0*192+r3*64+r6*8+r7+51:0)];
    float v40 = in0[(v35?g0*192+r3*64+r6*8+r7+52:0)];
    float v41 = in0[(v35?g0*192+r3*64+r6*8+r7+53:0)];
    int v42 = (r6+7<9)&(r7+7<9);
    float v43 = in0[(v42?g0*192+r3*64+r6*8+r7+54:0)];
    float8 v44 = (float8)((v33?v34:0.0f), (v35?v36:0.0f), (v35?v37:0.0f), (v35?v38:0.0f), (v35?v39:0.0f), (v35?v40:0.0f), (v35?v41:0.0f), (v42?v43:0.0f));
    acc7 = (acc7+v44*v12);
  }}}
  float v45 = in2[g2];
  float8 v46 = (acc0+v45);
  float8 v47 = (((v46>0.0f)||(v46!=v46))?v46:0.0f);
  float8 v48 = (acc1+v45);
  float8 v49 = (((v48>0.0f)||(v48!=v48))?v48:0.0f);
  float8 v50 = (acc2+v45);
  float8 v51 = (((v50>0.0f)||(v50!=v50))?v50:0.0f);
  float8 v52 = (acc3+v45);
  float8 v53 = (((v52>0.0f)||(v52!=v52))?v52:0.0f);
  float8 v54 = (acc4+v45);
  float8 v55 = (((v54>0.0f)||(v54!=v54))?v54:0.0f);
  float8 v56 = (acc5+v45);
  float8 v57 = (((v56>0.0f)||(v56!=v56))?v56:0.0f);
  float8 v58 = (acc6+v45);
  float8 v59 = (((v58>0.0f)||(v58!=v58))?v58:0.0f);
  float8 v60 = (acc7+v45);
  float8 v61 = (((v60>0.0f)||(v60!=v60))?v60:0.0f);
  *(__global ufloat8*)(out+g0*256+g2*64) = v47;
  *(__global ufloat8*)(out+g0*256+g2*64+8) = v49;
  *(__global ufloat8*)(out+g0*256+g2*64+16) = v51;
  *(__global ufloat8*)(out+g0*256+g2*64+24) = v53;
  *(__global ufloat8*)(out+g0*256+g2*64+32) = v55;
  *(__global ufloat8*)(out+g0*256+g2*64+40) = v57;
  *(__global ufloat8*)(out+g0*256+g2*64+48) = v59;
  *(__global ufloat8*)(out+g0*256+g2*64+56) = v61;
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
__kernel void r_2_1_4_3_8_8_3_3_cefdccf3(__global float* out, __global const float* in0, __global const float* in1) {
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
    float v1 = in0[(v0?r0*192+g3*64+r4*8+g6*8+r5+g7-9:0)];
    float v2 = (v0?v1:0.0f);
    float v3 = in1[r0*256+g2*64+r4*8+r5];
    acc0 = (acc0+v2*v3);
  }}}
  out[g2*27+g3*9+g6*3+g7] = acc0;
}

// 5: (2, 1, 3, 1, 8, 8, 1, 1) dtypes.float32 global 6 local 3
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_1_3_4_8_8_3_3_aa857e14(__global float* out, __global const float* in0, __global const float* in1) {
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
    float v1 = in0[(v0?g0*256+r3*64+r6*8+r7-9:0)];
    int v2 = (r6>=1);
    float v3 = in0[(v2?g0*256+r3*64+r6*8+r7-8:0)];
    float v4 = in0[(v2?g0*256+r3*64+r6*8+r7-7:0)];
    float v5 = in0[(v2?g0*256+r3*64+r6*8+r7-6:0)];
    float v6 = in0[(v2?g0*256+r3*64+r6*8+r7-5:0)];
    float v7 = in0[(v2?g0*256+r3*64+r6*8+r7-4:0)];
    float v8 = in0[(v2?g0*256+r3*64+r6*8+r7-3:0)];
    int v9 = (r6>=1)&(r7+7<9);
    float v10 = in0[(v9?g0*256+r3*64+r6*8+r7-2:0)];
    float8 v11 = (float8)((v0?v1:0.0f), (v2?v3:0.0f), (v2?v4:0.0f), (v2?v5:0.0f), (v2?v6:0.0f), (v2?v7:0.0f), (v2?v8:0.0f), (v9?v10:0.0f));
    float v12 = in1[g2*9+r3*27+r6*-3+r7*-1+8];
    acc0 = (acc0+v11*v12);
    int v13 = (r7>=1);
    float v14 = in0[(v13?g0*256+r3*64+r6*8+r7-1:0)];
    int v15 = (r7+7<9);
    float v16 = in0[(v15?g0*256+r3*64+r6*8+r7+6:0)];
    float8 v17 = (float8)((v13?v14:0.0f), in0[g0*256+r3*64+r6*8+r7], in0[g0*256+r3*64+r6*8+r7+1], in0[g0*256+r3*64+r6*8+r7+2], in0[g0*256+r3*64+r6*8+r7+3], in0[g0*256+r3*64+r6*8+r7+4], in0[g0*256+r3*64+r6*8+r7+5], (v15?v16:0.0f));
    acc1 = (acc1+v17*v12);
    float v18 = in0[(v13?g0*256+r3*64+r6*8+r7+7:0)];
    float v19 = in0[(v15?g0*256+r3*64+r6*8+r7+14:0)];
    float8 v20 = (float8)((v13?v18:0.0f), in0[g0*256+r3*64+r6*8+r7+8], in0[g0*256+r3*64+r6*8+r7+9], in0[g0*256+r3*64+r6*8+r7+10], in0[g0*256+r3*64+r6*8+r7+11], in0[g0*256+r3*64+r6*8+r7+12], in0[g0*256+r3*64+r6*8+r7+13], (v15?v19:0.0f));
    acc2 = (acc2+v20*v12);
    float v21 = in0[(v13?g0*256+r3*64+r6*8+r7+15:0)];
    float v22 = in0[(v15?g0*256+r3*64+r6*8+r7+22:0)];
    float8 v23 = (float8)((v13?v21:0.0f), in0[g0*256+r3*64+r6*8+r7+16], in0[g0*256+r3*64+r6*8+r7+17], in0[g0*256+r3*64+r6*8+r7+18], in0[g0*256+r3*64+r6*8+r7+19], in0[g0*256+r3*64+r6*8+r7+20], in0[g0*256+r3*64+r6*8+r7+21], (v15?v22:0.0f));
    acc3 = (acc3+v23*v12);
    float v24 = in0[(v13?g0*256+r3*64+r6*8+r7+23:0)];
    float v25 = in0[(v15?g0*256+r3*64+r6*8+r7+30:0)];
    float8 v26 = (float8)((v13?v24:0.0f), in0[g0*256+r3*64+r6*8+r7+24], in0[g0*256+r3*64+r6*8+r7+25], in0[g0*256+r3*64+r6*8+r7+26], in0[g0*256+r3*64+r6*8+r7+27], in0[g0*256+r3*64+r6*8+r7+28], in0[g0*256+r3*64+r6*8+r7+29], (v15?v25:0.0f));
    acc4 = (acc4+v26*v12);
    float v27 = in0[(v13?g0*256+r3*64+r6*8+r7+31:0)];
    float v28 = in0[(v15?g0*256+r3*64+r6*8+r7+38:0)];
    float8 v29 = (float8)((v13?v27:0.0f), in0[g0*256+r3*64+r6*8+r7+32], in0[g0*256+r3*64+r6*8+r7+33], in0[g0*256+r3*64+r6*8+r7+34], in0[g0*256+r3*64+r6*8+r7+35], in0[g0*256+r3*64+r6*8+r7+36], in0[g0*256+r3*64+r6*8+r7+37], (v15?v28:0.0f));
    acc5 = (acc5+v29*v12);
    float v30 = in0[(v13?g0*256+r3*64+r6*8+r7+39:0)];
    float v31 = in0[(v15?g0*256+r3*64+r6*8+r7+46:0)];
    float8 v32 = (float8)((v13?v30:0.0f), in0[g0*256+r3*64+r6*8+r7+40], in0[g0*256+r3*64+r6*8+r7+41], in0[g0*256+r3*64+r6*8+r7+42], in0[g0*256+r3*64+r6*8+r7+43], in0[g0*256+r3*64+r6*8+r7+44], in0[g0*256+r3*64+r6*8+r7+45], (v15?v31:0.0f));
    acc6 = (acc6+v32*v12);
    int v33 = (r6+7<9)&(r7>=1);
    float v34 = in0[(v33?g0*256+r3*64+r6*8+r7+47:0)];
    int v35 = (r6+7<9);
    float v36 = in0[(v35?g0*256+r3*64+r6*8+r7+48:0)];
    float v37 = in0[(v35?g0*256+r3*64+r6*8+r7+49:0)];
    float v38 = in0[(v35?g0*256+r3*64+r6*8+r7+50:0)];
    float v39 = in0[(v35?g0*256+r3*64+r6*8+r7+51:0)];
    float v40 = in0[(v35?g0*256+r3*64+r6*8+r7+52:0)];
    float v41 = in0[(v35?g0*256+r3*64+r6*8+r7+53:0)];
    int v42 = (r6+7<9)&(r7+7<9);
    float v43 = in0[(v42?g0*256+r3*64+r6*8+r7+54:0)];
    float8 v44 = (float8)((v33?v34:0.0f), (v35?v36:0.0f), (v35?v37:0.0f), (v35?v38:0.0f), (v35?v39:0.0f), (v35?v40:0.0f), (v35?v41:0.0f), (v42?v43:0.0f));
    acc7 = (acc7+v44*v12);
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
