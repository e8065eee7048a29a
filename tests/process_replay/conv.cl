// 0: () dtypes.float32 global 1 local 1
__kernel void e_1_49df50ed(__global float* out) {
  int gid = get_global_id(0);
  float v0 = (0.001953125f*1.0f);
  out[0] = v0;
}

// 1: (2, 3, 8, 3, 1, 10, 1) dtypes.float32 global 1440 local 720
__kernel void e_2_3_8_3_1_10_1_be88d9d9(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/720);
  int g1 = ((gid/240)%3);
  int g2 = ((gid/30)%8);
  int g3 = ((gid/10)%3);
  int g5 = (gid%10);
  float v0 = (g2>=1&&g3<1&&g5>=1&&g5<9?in0[g0*192+g1*64+g2*8+g5-9]:0.0f);
  float v1 = (g3>=1&&g3<2&&g5>=1&&g5<9?in0[g0*192+g1*64+g2*8+g5-1]:0.0f);
  float v2 = (v0+v1);
  float v3 = (g2<7&&g3>=2&&g5>=1&&g5<9?in0[g0*192+g1*64+g2*8+g5+7]:0.0f);
  float v4 = (v2+v3);
  out[g0*720+g1*240+g2*30+g3*10+g5] = v4;
}

// 2: (2, 3, 8, 3, 8, 3, 1) dtypes.float32 global 3456 local 1728
__kernel void e_2_3_8_3_8_3_1_5f3e425f(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/1728);
  int g1 = ((gid/576)%3);
  int g2 = ((gid/72)%8);
  int g3 = ((gid/24)%3);
  int g4 = ((gid/3)%8);
  int g5 = (gid%3);
  float v0 = (g5<1?in0[g0*720+g1*240+g2*30+g3*10+g4]:0.0f);
  float v1 = (g5>=1&&g5<2?in0[g0*720+g1*240+g2*30+g3*10+g4+1]:0.0f);
  float v2 = (v0+v1);
  float v3 = (g5>=2?in0[g0*720+g1*240+g2*30+g3*10+g4+2]:0.0f);
  float v4 = (v2+v3);
  out[g0*1728+g1*576+g2*72+g3*24+g4*3+g5] = v4;
}

// 3: (2, 4, 8, 8) dtypes.float32 global 8 local 4
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_1_4_3_8_8_3_3_fa12ce48(__global float* out, __global const float* in0, __global const float* in1, __global const float* in2) {
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
    float8 v0 = (float8)(in0[g0*1728+r3*576+r6*24+r7], in0[g0*1728+r3*576+r6*24+r7+3], in0[g0*1728+r3*576+r6*24+r7+6], in0[g0*1728+r3*576+r6*24+r7+9], in0[g0*1728+r3*576+r6*24+r7+12], in0[g0*1728+r3*576+r6*24+r7+15], in0[g0*1728+r3*576+r6*24+r7+18], in0[g0*1728+r3*576+r6*24+r7+21]);
    float v1 = in1[g2*27+r3*9+r6*3+r7];
    acc0 = (acc0+v0*v1);
    float8 v2 = (float8)(in0[g0*1728+r3*576+r6*24+r7+72], in0[g0*1728+r3*576+r6*24+r7+75], in0[g0*1728+r3*576+r6*24+r7+78], in0[g0*1728+r3*576+r6*24+r7+81], in0[g0*1728+r3*576+r6*24+r7+84], in0[g0*1728+r3*576+r6*24+r7+87], in0[g0*1728+r3*576+r6*24+r7+90], in0[g0*1728+r3*576+r6*24+r7+93]);
    acc1 = (acc1+v2*v1);
    float8 v3 = (float8)(in0[g0*1728+r3*576+r6*24+r7+144], in0[g0*1728+r3*576+r6*24+r7+147], in0[g0*1728+r3*576+r6*24+r7+150], in0[g0*1728+r3*576+r6*24+r7+153], in0[g0*1728+r3*576+r6*24+r7+156], in0[g0*1728+r3*576+r6*24+r7+159], in0[g0*1728+r3*576+r6*24+r7+162], in0[g0*1728+r3*576+r6*24+r7+165]);
    acc2 = (acc2+v3*v1);
    float8 v4 = (float8)(in0[g0*1728+r3*576+r6*24+r7+216], in0[g0*1728+r3*576+r6*24+r7+219], in0[g0*1728+r3*576+r6*24+r7+222], in0[g0*1728+r3*576+r6*24+r7+225], in0[g0*1728+r3*576+r6*24+r7+228], in0[g0*1728+r3*576+r6*24+r7+231], in0[g0*1728+r3*576+r6*24+r7+234], in0[g0*1728+r3*576+r6*24+r7+237]);
    acc3 = (acc3+v4*v1);
    float8 v5 = (float8)(in0[g0*1728+r3*576+r6*24+r7+288], in0[g0*1728+r3*576+r6*24+r7+291], in0[g0*1728+r3*576+r6*24+r7+294], in0[g0*1728+r3*576+r6*24+r7+297], in0[g0*1728+r3*576+r6*24+r7+300], in0[g0*1728+r3*576+r6*24+r7+303], in0[g0*1728+r3*576+r6*24+r7+306], in0[g0*1728+r3*576+r6*24+r7+309]);
    acc4 = (acc4+v5*v1);
    float8 v6 = (float8)(in0[g0*1728+r3*576+r6*24+r7+360], in0[g0*1728+r3*576+r6*24+r7+363], in0[g0*1728+r3*576+r6*24+r7+366], in0[g0*1728+r3*576+r6*24+r7+369], in0[g0*1728+r3*576+r6*24+r7+372], in0[g0*1728+r3*576+r6*24+r7+375], in0[g0*1728+r3*576+r6*24+r7+378], in0[g0*1728+r3*576+r6*24+r7+381]);
    acc5 = (acc5+v6*v1);
    float8 v7 = (float8)(in0[g0*1728+r3*576+r6*24+r7+432], in0[g0*1728+r3*576+r6*24+r7+435], in0[g0*1728+r3*576+r6*24+r7+438], in0[g0*1728+r3*576+r6*24+r7+441], in0[g0*1728+r3*576+r6*24+r7+444], in0[g0*1728+r3*576+r6*24+r7+447], in0[g0*1728+r3*576+r6*24+r7+450], in0[g0*1728+r3*576+r6*24+r7+453]);
    acc6 = (acc6+v7*v1);
    float8 v8 = (float8)(in0[g0*1728+r3*576+r6*24+r7+504], in0[g0*1728+r3*576+r6*24+r7+507], in0[g0*1728+r3*576+r6*24+r7+510], in0[g0*1728+r3*576+r6*24+r7+513], in0[g0*1728+r3*576+r6*24+r7+516], in0[g0*1728+r3*576+r6*24+r7+519], in0[g0*1728+r3*576+r6*24+r7+522], in0[g0*1728+r3*576+r6*24+r7+525]);
    acc7 = (acc7+v8*v1);
  }}}
  float v9 = in2[g2];
  float8 v10 = (acc0+v9);
  float8 v11 = select(fmax(v10,0.0f),v10+0.0f,isnan(v10)||isnan(0.0f));
  float8 v12 = (acc1+v9);
  float8 v13 = select(fmax(v12,0.0f),v12+0.0f,isnan(v12)||isnan(0.0f));
  float8 v14 = (acc2+v9);
  float8 v15 = select(fmax(v14,0.0f),v14+0.0f,isnan(v14)||isnan(0.0f));
  float8 v16 = (acc3+v9);
  float8 v17 = select(fmax(v16,0.0f),v16+0.0f,isnan(v16)||isnan(0.0f));
  float8 v18 = (acc4+v9);
  float8 v19 = select(fmax(v18,0.0f),v18+0.0f,isnan(v18)||isnan(0.0f));
  float8 v20 = (acc5+v9);
  float8 v21 = select(fmax(v20,0.0f),v20+0.0f,isnan(v20)||isnan(0.0f));
  float8 v22 = (acc6+v9);
  float8 v23 = select(fmax(v22,0.0f),v22+0.0f,isnan(v22)||isnan(0.0f));
  float8 v24 = (acc7+v9);
  float8 v25 = select(fmax(v24,0.0f),v24+0.0f,isnan(v24)||isnan(0.0f));
  *(__global ufloat8*)(out+g0*256+g2*64) = v11;
  *(__global ufloat8*)(out+g0*256+g2*64+8) = v13;
  *(__global ufloat8*)(out+g0*256+g2*64+16) = v15;
  *(__global ufloat8*)(out+g0*256+g2*64+24) = v17;
  *(__global ufloat8*)(out+g0*256+g2*64+32) = v19;
  *(__global ufloat8*)(out+g0*256+g2*64+40) = v21;
  *(__global ufloat8*)(out+g0*256+g2*64+48) = v23;
  *(__global ufloat8*)(out+g0*256+g2*64+56) = v25;
}

// 4: (2, 4, 8, 8) dtypes.float32 global 512 local 256
__kernel void e_2_4_8_8_8541833d(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/256);
  int g1 = ((gid/64)%4);
  int g2 = ((gid/8)%8);
  int g3 = (gid%8);
  float v0 = in0[g0*256+g1*64+g2*8+g3];
  uchar v1 = (0.0f<v0);
  float v2 = (float)(v1);
  float v3 = in1[0];
  float v4 = (v2*v3);
  out[g0*256+g1*64+g2*8+g3] = v4;
}

// 5: (1, 4, 1, 1) dtypes.float32 global 4 local 2
__kernel void r_2_4_8_8_4b5ed15d(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g1 = gid;
  float acc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r2 = 0; r2 < 8; r2++) {
  for (int r3 = 0; r3 < 8; r3++) {
    float v0 = in0[r0*256+g1*64+r2*8+r3];
    acc0 = (acc0+v0);
  }}}
  out[g1] = acc0;
}

// 6: (1, 1, 4, 3, 1, 1, 3, 3) dtypes.float32 global 108 local 54
__kernel void r_2_1_4_3_8_8_3_3_949e809a(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g2 = (gid/27);
  int g3 = ((gid/9)%3);
  int g6 = ((gid/3)%3);
  int g7 = (gid%3);
  float acc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r4 = 0; r4 < 8; r4++) {
  for (int r5 = 0; r5 < 8; r5++) {
    float v0 = in0[r0*1728+g3*576+r4*72+r5*3+g6*24+g7];
    float v1 = in1[r0*256+g2*64+r4*8+r5];
    acc0 = (acc0+v0*v1);
  }}}
  out[g2*27+g3*9+g6*3+g7] = acc0;
}

// 7: (2, 1, 1, 3, 8, 8, 3, 3) dtypes.float32 global 54 local 27
typedef float8 __attribute__((aligned(4))) ufloat8;
__kernel void r_2_1_4_3_8_8_3_3_acfe705a(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = (gid/27);
  int g3 = ((gid/9)%3);
  int g6 = ((gid/3)%3);
  int g7 = (gid%3);
  float8 acc0 = 0.0f;
  float8 acc1 = 0.0f;
  float8 acc2 = 0.0f;
  float8 acc3 = 0.0f;
  float8 acc4 = 0.0f;
  float8 acc5 = 0.0f;
  float8 acc6 = 0.0f;
  float8 acc7 = 0.0f;
  for (int r2 = 0; r2 < 4; r2++) {
    float v0 = in0[r2*27+g3*9+g6*3+g7];
    float8 v1 = *(__global const ufloat8*)(in1+g0*256+r2*64);
    acc0 = (acc0+v0*v1);
    float8 v2 = *(__global const ufloat8*)(in1+g0*256+r2*64+8);
    acc1 = (acc1+v0*v2);
    float8 v3 = *(__global const ufloat8*)(in1+g0*256+r2*64+16);
    acc2 = (acc2+v0*v3);
    float8 v4 = *(__global const ufloat8*)(in1+g0*256+r2*64+24);
    acc3 = (acc3+v0*v4);
    float8 v5 = *(__global const ufloat8*)(in1+g0*256+r2*64+32);
    acc4 = (acc4+v0*v5);
    float8 v6 = *(__global const ufloat8*)(in1+g0*256+r2*64+40);
    acc5 = (acc5+v0*v6);
    float8 v7 = *(__global const ufloat8*)(in1+g0*256+r2*64+48);
    acc6 = (acc6+v0*v7);
    float8 v8 = *(__global const ufloat8*)(in1+g0*256+r2*64+56);
    acc7 = (acc7+v0*v8);
  }
  out[g0*1728+g3*576+g6*3+g7] = acc0.s0;
  out[g0*1728+g3*576+g6*3+g7+9] = acc0.s1;
  out[g0*1728+g3*576+g6*3+g7+18] = acc0.s2;
  out[g0*1728+g3*576+g6*3+g7+27] = acc0.s3;
  out[g0*1728+g3*576+g6*3+g7+36] = acc0.s4;
  out[g0*1728+g3*576+g6*3+g7+45] = acc0.s5;
  out[g0*1728+g3*576+g6*3+g7+54] = acc0.s6;
  out[g0*1728+g3*576+g6*3+g7+63] = acc0.s7;
  out[g0*1728+g3*576+g6*3+g7+72] = acc1.s0;
  out[g0*1728+g3*576+g6*3+g7+81] = acc1.s1;
  out[g0*1728+g3*576+g6*3+g7+90] = acc1.s2;
  out[g0*1728+g3*576+g6*3+g7+99] = acc1.s3;
  out[g0*1728+g3*576+g6*3+g7+108] = acc1.s4;
  out[g0*1728+g3*576+g6*3+g7+117] = acc1.s5;
  out[g0*1728+g3*576+g6*3+g7+126] = acc1.s6;
  out[g0*1728+g3*576+g6*3+g7+135] = acc1.s7;
  out[g0*1728+g3*576+g6*3+g7+144] = acc2.s0;
  out[g0*1728+g3*576+g6*3+g7+153] = acc2.s1;
  out[g0*1728+g3*576+g6*3+g7+162] = acc2.s2;
  out[g0*1728+g3*576+g6*3+g7+171] = acc2.s3;
  out[g0*1728+g3*576+g6*3+g7+180] = acc2.s4;
  out[g0*1728+g3*576+g6*3+g7+189] = acc2.s5;
  out[g0*1728+g3*576+g6*3+g7+198] = acc2.s6;
  out[g0*1728+g3*576+g6*3+g7+207] = acc2.s7;
  out[g0*1728+g3*576+g6*3+g7+216] = acc3.s0;
  out[g0*1728+g3*576+g6*3+g7+225] = acc3.s1;
  out[g0*1728+g3*576+g6*3+g7+234] = acc3.s2;
  out[g0*1728+g3*576+g6*3+g7+243] = acc3.s3;
  out[g0*1728+g3*576+g6*3+g7+252] = acc3.s4;
  out[g0*1728+g3*576+g6*3+g7+261] = acc3.s5;
  out[g0*1728+g3*576+g6*3+g7+270] = acc3.s6;
  out[g0*1728+g3*576+g6*3+g7+279] = acc3.s7;
  out[g0*1728+g3*576+g6*3+g7+288] = acc4.s0;
  out[g0*1728+g3*576+g6*3+g7+297] = acc4.s1;
  out[g0*1728+g3*576+g6*3+g7+306] = acc4.s2;
  out[g0*1728+g3*576+g6*3+g7+315] = acc4.s3;
  out[g0*1728+g3*576+g6*3+g7+324] = acc4.s4;
  out[g0*1728+g3*576+g6*3+g7+333] = acc4.s5;
  out[g0*1728+g3*576+g6*3+g7+342] = acc4.s6;
  out[g0*1728+g3*576+g6*3+g7+351] = acc4.s7;
  out[g0*1728+g3*576+g6*3+g7+360] = acc5.s0;
  out[g0*1728+g3*576+g6*3+g7+369] = acc5.s1;
  out[g0*1728+g3*576+g6*3+g7+378] = acc5.s2;
  out[g0*1728+g3*576+g6*3+g7+387] = acc5.s3;
  out[g0*1728+g3*576+g6*3+g7+396] = acc5.s4;
  out[g0*1728+g3*576+g6*3+g7+405] = acc5.s5;
  out[g0*1728+g3*576+g6*3+g7+414] = acc5.s6;
  out[g0*1728+g3*576+g6*3+g7+423] = acc5.s7;
  out[g0*1728+g3*576+g6*3+g7+432] = acc6.s0;
  out[g0*1728+g3*576+g6*3+g7+441] = acc6.s1;
  out[g0*1728+g3*576+g6*3+g7+450] = acc6.s2;
  out[g0*1728+g3*576+g6*3+g7+459] = acc6.s3;
  out[g0*1728+g3*576+g6*3+g7+468] = acc6.s4;
  out[g0*1728+g3*576+g6*3+g7+477] = acc6.s5;
  out[g0*1728+g3*576+g6*3+g7+486] = acc6.s6;
  out[g0*1728+g3*576+g6*3+g7+495] = acc6.s7;
  out[g0*1728+g3*576+g6*3+g7+504] = acc7.s0;
  out[g0*1728+g3*576+g6*3+g7+513] = acc7.s1;
  out[g0*1728+g3*576+g6*3+g7+522] = acc7.s2;
  out[g0*1728+g3*576+g6*3+g7+531] = acc7.s3;
  out[g0*1728+g3*576+g6*3+g7+540] = acc7.s4;
  out[g0*1728+g3*576+g6*3+g7+549] = acc7.s5;
  out[g0*1728+g3*576+g6*3+g7+558] = acc7.s6;
  out[g0*1728+g3*576+g6*3+g7+567] = acc7.s7;
}

// 8: (2, 3, 8, 3, 10, 1) dtypes.float32 global 1440 local 720
__kernel void e_2_3_8_3_10_1_7fbac82a(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/720);
  int g1 = ((gid/240)%3);
  int g2 = ((gid/30)%8);
  int g3 = ((gid/10)%3);
  int g4 = (gid%10);
  float v0 = (g4<8?in0[g0*1728+g1*576+g2*72+g3*3+g4*9]:0.0f);
  float v1 = (g4>=1&&g4<9?in0[g0*1728+g1*576+g2*72+g3*3+g4*9-8]:0.0f);
  float v2 = (v0+v1);
  float v3 = (g4>=2?in0[g0*1728+g1*576+g2*72+g3*3+g4*9-16]:0.0f);
  float v4 = (v2+v3);
  out[g0*720+g1*240+g2*30+g3*10+g4] = v4;
}

// 9: (2, 3, 10, 1, 10, 1) dtypes.float32 global 600 local 300
__kernel void e_2_3_10_1_10_1_5a8df8f0(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = (gid/300);
  int g1 = ((gid/100)%3);
  int g2 = ((gid/10)%10);
  int g4 = (gid%10);
  float v0 = (g2<8?in0[g0*720+g1*240+g2*30+g4]:0.0f);
  float v1 = (g2>=1&&g2<9?in0[g0*720+g1*240+g2*30+g4-20]:0.0f);
  float v2 = (v0+v1);
  float v3 = (g2>=2?in0[g0*720+g1*240+g2*30+g4-40]:0.0f);
  float v4 = (v2+v3);
  out[g0*300+g1*100+g2*10+g4] = v4;
}

// 10: () dtypes.float32 global 1 local 1
__kernel void r_2_4_8_8_e1bffafc(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float acc0 = 0.0f;
  for (int r0 = 0; r0 < 2; r0++) {
  for (int r1 = 0; r1 < 4; r1++) {
  for (int r2 = 0; r2 < 8; r2++) {
  for (int r3 = 0; r3 < 8; r3++) {
    float v0 = in0[r0*256+r1*64+r2*8+r3];
    acc0 = (acc0+v0);
  }}}}
  float v1 = (acc0*0.001953125f);
  out[0] = v1;
}
