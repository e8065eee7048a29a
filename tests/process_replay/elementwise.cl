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
#undef exp2
#define exp2 xexp2
static inline float __attribute__((overloadable)) xexp2(float x) { float c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int k = convert_int(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float((h+127) << 23)*as_float((k-h+127) << 23); }
static inline float2 __attribute__((overloadable)) xexp2(float2 x) { float2 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int2 k = convert_int2(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float2((h+127) << 23)*as_float2((k-h+127) << 23); }
static inline float3 __attribute__((overloadable)) xexp2(float3 x) { float3 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int3 k = convert_int3(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float3((h+127) << 23)*as_float3((k-h+127) << 23); }
static inline float4 __attribute__((overloadable)) xexp2(float4 x) { float4 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int4 k = convert_int4(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float4((h+127) << 23)*as_float4((k-h+127) << 23); }
static inline float8 __attribute__((overloadable)) xexp2(float8 x) { float8 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int8 k = convert_int8(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float8((h+127) << 23)*as_float8((k-h+127) << 23); }
static inline float16 __attribute__((overloadable)) xexp2(float16 x) { float16 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int16 k = convert_int16(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float16((h+127) << 23)*as_float16((k-h+127) << 23); }
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void e_1024_db5cff18(__global float* out, __global const float* in0) {
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
