// 0: () dtypes.float32 global 1 local 1
__kernel void e_1_57411e35(__global float* out) {
  int gid = get_global_id(0);
  float v0 = (0.001953125f*1.0f);
  out[gid] = v0;
}

// 1: (2, 4, 8, 8) dtypes.float32 global 8 local 4
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_1_4_3_8_8_3_3_bf42bf8e(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
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
    float8 v0 = (float8)((r6>=1&&r7>=1?in0[g0*192+r3*64+r6*8+r7-9]:0.0f), (r6>=1?in0[g0*192+r3*64+r6*8+r7-8]:0.0f), (r6>=1?in0[g0*192+r3*64+r6*8+r7-7]:0.0f), (r6>=1?in0[g0*192+r3*64+r6*8+r7-6]:0.0f), (r6>=1?in0[g0*192+r3*64+r6*8+r7-5]:0.0f), (r6>=1?in0[g0*192+r3*64+r6*8+r7-4]:0.0f), (r6>=1?in0[g0*192+r3*64+r6*8+r7-3]:0.0f), (r6>=1&&r7+7<9?in0[g0*192+r3*64+r6*8+r7-2]:0.0f));
    float v1 = in1[g2*27+r3*9+r6*3+r7];
    acc0 = (acc0+v0*v1);
    float8 v2 = (float8)((r7>=1?in0[g0*192+r3*64+r6*8+r7-1]:0.0f), in0[g0*192+r3*64+r6*8+r7], in0[g0*192+r3*64+r6*8+r7+1], in0[g0*192+r3*64+r6*8+r7+2], in0[g0*192+r3*64+r6*8+r7+3], in0[g0*192+r3*64+r6*8+r7+4], in0[g0*192+r3*64+r6*8+r7+5], (r7+7<9?in0[g0*192+r3*64+r6*8+r7+6]:0.0f));
    acc1 = (acc1+v2*v1);
    float8 v3 = (float8)((r7>=1?in0[g0*192+r3*64+r6*8+r7+7]:0.0f), in0[g0*192+r3*64+r6*8+r7+8], in0[g0*192+r3*64+r6*8+r7+9], in0[g0*192+r3*64+r6*8+r7+10], in0[g0*192+r3*64+r6*8+r7+11], in0[g0*192+r3*64+r6*8+r7+12], in0[g0*192+r3*64+r6*8+r7+13], (r7+7<9?in0[g0*192+r3*64+r6*8+r7+14]:0.0f));
    acc2 = (acc2+v3*v1);
    float8 v4 = (float8)((r7>=1?in0[g0*192+r3*64+r6*8+r7+15]:0.0f), in0[g0*192+r3*64+r6*8+r7+16], in0[g0*192+r3*64+r6*8+r7+17], in0[g0*192+r3*64+r6*8+r7+18], in0[g0*192+r3*64+r6*8+r7+19], in0[g0*192+r3*64+r6*8+r7+20], in0[g0*192+r3*64+r6*8+r7+21], (r7+7<9?in0[g0*192+r3*64+r6*8+r7+22]:0.0f));
    acc3 = (acc3+v4*v1);
    float8 v5 = (float8)((r7>=1?in0[g0*192+r3*64+r6*8+r7+23]:0.0f), in0[g0*192+r3*64+r6*8+r7+24], in0[g0*192+r3*64+r6*8+r7+25], in0[g0*192+r3*64+r6*8+r7+26], in0[g0*192+r3*64+r6*8+r7+27], in0[g0*192+r3*64+r6*8+r7+28], in0[g0*192+r3*64+r6*8+r7+29], (r7+7<9?in0[g0*192+r3*64+r6*8+r7+30]:0.0f));
    acc4 = (acc4+v5*v1);
    float8 v6 = (float8)((r7>=1?in0[g0*192+r3*64+r6*8+r7+31]:0.0f), in0[g0*192+r3*64+r6*8+r7+32], in0[g0*192+r3*64+r6*8+r7+33], in0[g0*192+r3*64+r6*8+r7+34], in0[g0*192+r3*64+r6*8+r7+35], in0[g0*192+r3*64+r6*8+r7+36], in0[g0*192+r3*64+r6*8+r7+37], (r7+7<9?in0[g0*192+r3*64+r6*8+r7+38]:0.0f));
    acc5 = (acc5+v6*v1);
    float8 v7 = (float8)((r7>=1?in0[g0*192+r3*64+r6*8+r7+39]:0.0f), in0[g0*192+r3*64+r6*8+r7+40], in0[g0*192+r3*64+r6*8+r7+41], in0[g0*192+r3*64+r6*8+r7+42], in0[g0*192+r3*64+r6*8+r7+43], in0[g0*192+r3*64+r6*8+r7+44], in0[g0*192+r3*64+r6*8+r7+45], (r7+7<9?in0[g0*192+r3*64+r6*8+r7+46]:0.0f));
    acc6 = (acc6+v7*v1);
    float8 v8 = (float8)((r6+7<9&&r7>=1?in0[g0*192+r3*64+r6*8+r7+47]:0.0f), (r6+7<9?in0[g0*192+r3*64+r6*8+r7+48]:0.0f), (r6+7<9?in0[g0*192+r3*64+r6*8+r7+49]:0.0f), (r6+7<9?in0[g0*192+r3*64+r6*8+r7+50]:0.0f), (r6+7<9?in0[g0*192+r3*64+r6*8+r7+51]:0.0f), (r6+7<9?in0[g0*192+r3*64+r6*8+r7+52]:0.0f), (r6+7<9?in0[g0*192+r3*64+r6*8+r7+53]:0.0f), (r6+7<9&&r7+7<9?in0[g0*192+r3*64+r6*8+r7+54]:0.0f));
    acc7 = (acc7+v8*v1);
  }}}
  float v9 = in2[g2];
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
  *(__global ufloat8*)(out+g0*256+g2*64) = v11;
  *(__global ufloat8*)(out+g0*256+g2*64+8) = v13;
  *(__global ufloat8*)(out+g0*256+g2*64+16) = v15;
  *(__global ufloat8*)(out+g0*256+g2*64+24) = v17;
  *(__global ufloat8*)(out+g0*256+g2*64+32) = v19;
  *(__global ufloat8*)(out+g0*256+g2*64+40) = v21;
  *(__global ufloat8*)(out+g0*256+g2*64+48) = v23;
  *(__global ufloat8*)(out+g0*256+g2*64+56) = v25;
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
__kernel void r_2_1_4_3_8_8_3_3_7e4ec778(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g2 = (gid/27);
  int g3 = ((gid/9)%3);
  int g6 = ((gid/3)%3);
  int g7 = (gid%3);
  float acc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r4 = 0; r4 < 8; r4++) {
  for (int r5 = 0; r5 < 8; r5++) {
    float v0 = (r4+g6>=1&&r4+g6<9&&r5+g7>=1&&r5+g7<9?in0[r0*192+g3*64+r4*8+g6*8+r5+g7-9]:0.0f);
    float v1 = in1[r0*256+g2*64+r4*8+r5];
    acc0 = (acc0+v0*v1);
  }}}
  out[g2*27+g3*9+g6*3+g7] = acc0;
}

// 5: (2, 1, 3, 1, 8, 8, 1, 1) dtypes.float32 global 6 local 3
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_2_1_3_4_8_8_3_3_fa2fe745(__global float* out, __global const float* in0, __global const float* in1) {
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
    float8 v0 = (float8)((r6>=1&&r7>=1?in0[g0*256+r3*64+r6*8+r7-9]:0.0f), (r6>=1?in0[g0*256+r3*64+r6*8+r7-8]:0.0f), (r6>=1?in0[g0*256+r3*64+r6*8+r7-7]:0.0f), (r6>=1?in0[g0*256+r3*64+r6*8+r7-6]:0.0f), (r6>=1?in0[g0*256+r3*64+r6*8+r7-5]:0.0f), (r6>=1?in0[g0*256+r3*64+r6*8+r7-4]:0.0f), (r6>=1?in0[g0*256+r3*64+r6*8+r7-3]:0.0f), (r6>=1&&r7+7<9?in0[g0*256+r3*64+r6*8+r7-2]:0.0f));
    float v1 = in1[g2*9+r3*27+r6*-3+r7*-1+8];
    acc0 = (acc0+v0*v1);
    float8 v2 = (float8)((r7>=1?in0[g0*256+r3*64+r6*8+r7-1]:0.0f), in0[g0*256+r3*64+r6*8+r7], in0[g0*256+r3*64+r6*8+r7+1], in0[g0*256+r3*64+r6*8+r7+2], in0[g0*256+r3*64+r6*8+r7+3], in0[g0*256+r3*64+r6*8+r7+4], in0[g0*256+r3*64+r6*8+r7+5], (r7+7<9?in0[g0*256+r3*64+r6*8+r7+6]:0.0f));
    acc1 = (acc1+v2*v1);
    float8 v3 = (float8)((r7>=1?in0[g0*256+r3*64+r6*8+r7+7]:0.0f), in0[g0*256+r3*64+r6*8+r7+8], in0[g0*256+r3*64+r6*8+r7+9], in0[g0*256+r3*64+r6*8+r7+10], in0[g0*256+r3*64+r6*8+r7+11], in0[g0*256+r3*64+r6*8+r7+12], in0[g0*256+r3*64+r6*8+r7+13], (r7+7<9?in0[g0*256+r3*64+r6*8+r7+14]:0.0f));
    acc2 = (acc2+v3*v1);
    float8 v4 = (float8)((r7>=1?in0[g0*256+r3*64+r6*8+r7+15]:0.0f), in0[g0*256+r3*64+r6*8+r7+16], in0[g0*256+r3*64+r6*8+r7+17], in0[g0*256+r3*64+r6*8+r7+18], in0[g0*256+r3*64+r6*8+r7+19], in0[g0*256+r3*64+r6*8+r7+20], in0[g0*256+r3*64+r6*8+r7+21], (r7+7<9?in0[g0*256+r3*64+r6*8+r7+22]:0.0f));
    acc3 = (acc3+v4*v1);
    float8 v5 = (float8)((r7>=1?in0[g0*256+r3*64+r6*8+r7+23]:0.0f), in0[g0*256+r3*64+r6*8+r7+24], in0[g0*256+r3*64+r6*8+r7+25], in0[g0*256+r3*64+r6*8+r7+26], in0[g0*256+r3*64+r6*8+r7+27], in0[g0*256+r3*64+r6*8+r7+28], in0[g0*256+r3*64+r6*8+r7+29], (r7+7<9?in0[g0*256+r3*64+r6*8+r7+30]:0.0f));
    acc4 = (acc4+v5*v1);
    float8 v6 = (float8)((r7>=1?in0[g0*256+r3*64+r6*8+r7+31]:0.0f), in0[g0*256+r3*64+r6*8+r7+32], in0[g0*256+r3*64+r6*8+r7+33], in0[g0*256+r3*64+r6*8+r7+34], in0[g0*256+r3*64+r6*8+r7+35], in0[g0*256+r3*64+r6*8+r7+36], in0[g0*256+r3*64+r6*8+r7+37], (r7+7<9?in0[g0*256+r3*64+r6*8+r7+38]:0.0f));
    acc5 = (acc5+v6*v1);
    float8 v7 = (float8)((r7>=1?in0[g0*256+r3*64+r6*8+r7+39]:0.0f), in0[g0*256+r3*64+r6*8+r7+40], in0[g0*256+r3*64+r6*8+r7+41], in0[g0*256+r3*64+r6*8+r7+42], in0[g0*256+r3*64+r6*8+r7+43], in0[g0*256+r3*64+r6*8+r7+44], in0[g0*256+r3*64+r6*8+r7+45], (r7+7<9?in0[g0*256+r3*64+r6*8+r7+46]:0.0f));
    acc6 = (acc6+v7*v1);
    float8 v8 = (float8)((r6+7<9&&r7>=1?in0[g0*256+r3*64+r6*8+r7+47]:0.0f), (r6+7<9?in0[g0*256+r3*64+r6*8+r7+48]:0.0f), (r6+7<9?in0[g0*256+r3*64+r6*8+r7+49]:0.0f), (r6+7<9?in0[g0*256+r3*64+r6*8+r7+50]:0.0f), (r6+7<9?in0[g0*256+r3*64+r6*8+r7+51]:0.0f), (r6+7<9?in0[g0*256+r3*64+r6*8+r7+52]:0.0f), (r6+7<9?in0[g0*256+r3*64+r6*8+r7+53]:0.0f), (r6+7<9&&r7+7<9?in0[g0*256+r3*64+r6*8+r7+54]:0.0f));
    acc7 = (acc7+v8*v1);
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
