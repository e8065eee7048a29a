// 0: (7,) dtypes.float32 global 7 local 1
__kernel void e_7_24411338(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = gid;
  float v0 = in0[g0];
  uchar v1 = (v0<0.0f);
  float v2 = in1[g0];
  float v3 = (v1?1.0f:v2);
  out[g0] = v3;
}

// 1: (9, 8) dtypes.float32 global 9 local 3
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_9_8_807e61d3(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = gid;
  int v0 = (g0>=1)&(g0<7);
  int v1 = (0);
  float8 v2 = (float8)(select((float)0.0f, in0[(v0?g0*-5+30:0)], (int)v0), select((float)0.0f, in0[(v0?g0*-5+31:0)], (int)v0), select((float)0.0f, in0[(v0?g0*-5+32:0)], (int)v0), select((float)0.0f, in0[(v0?g0*-5+33:0)], (int)v0), select((float)0.0f, in0[(v0?g0*-5+34:0)], (int)v0), select((float)0.0f, in0[(v1?g0*-5+35:0)], (int)v1), select((float)0.0f, in0[(v1?g0*-5+36:0)], (int)v1), select((float)0.0f, in0[(v1?g0*-5+37:0)], (int)v1));
  float8 v3 = (v2*2.0f);
  *(__global ufloat8*)(out+g0*8) = v3;
}

// 2: (4, 8) dtypes.float32 global 4 local 2
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_4_8_ac13598d(__global float* out, __global const float* in0, __global const float* in1) {
  int gid = get_global_id(0);
  int g0 = gid;
  float v0 = in0[g0];
  float8 v1 = *(__global const ufloat8*)(in1+0);
  float8 v2 = (v0+v1);
  *(__global ufloat8*)(out+g0*8) = v2;
}

// 3: (1024,) dtypes.float32 global 128 local 64
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_1024_36175a94(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = gid;
  float8 v0 = *(__global const ufloat8*)(in0+g0*8);
  float8 v1 = (v0*1.5f);
  float8 v2 = (v1+0.25f);
  float8 v3 = (-v2);
  float8 v4 = exp2(v3);
  float8 v5 = (v4*v0);
  float8 v6 = (v5-2.0f);
  float8 v7 = (-v6);
  float8 v8 = (((v6>v7)||(v6!=v6))?v6:v7);
  float8 v9 = (v8+0.0f);
  float8 v10 = sqrt(v9);
  float8 v11 = (v0*v0);
  float8 v12 = (v11+1.0f);
  float8 v13 = (v10/v12);
  float8 v14 = (((v13>0.1f)||(v13!=v13))?v13:0.1f);
  *(__global ufloat8*)(out+g0*8) = v14;
}
