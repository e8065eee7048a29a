// 0: (1, 64) dtypes.int64 global 8 local 4
__kernel void r_16_64_ff8a3994(__global long* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g1 = gid;
  long acc0 = 0L;
  long acc1 = 0L;
  long acc2 = 0L;
  long acc3 = 0L;
  long acc4 = 0L;
  long acc5 = 0L;
  long acc6 = 0L;
  long acc7 = 0L;
  for (int r0 = 0; r0 < 16; r0++) {
    float v0 = in0[r0*64+g1*8];
    int v1 = (int)(v0);
    int v2 = (3==0||3==-1?0:v1%3);
    uchar v3 = (v2==0);
    uchar v4 = (v3==0);
    uchar v5 = (v2<0);
    uchar v6 = (3<0);
    uchar v7 = (v5==v6);
    uchar v8 = (v7==0);
    uchar v9 = (v4&&v8);
    int v10 = as_int((uint)v2+(uint)3);
    int v11 = (v9?v10:v2);
    long v12 = (long)(v11);
    acc0 = as_long((ulong)acc0+(ulong)v12);
    float v13 = in0[r0*64+g1*8+1];
    int v14 = (int)(v13);
    int v15 = (3==0||3==-1?0:v14%3);
    uchar v16 = (v15==0);
    uchar v17 = (v16==0);
    uchar v18 = (v15<0);
    uchar v19 = (v18==v6);
    uchar v20 = (v19==0);
    uchar v21 = (v17&&v20);
    int v22 = as_int((uint)v15+(uint)3);
    int v23 = (v21?v22:v15);
    long v24 = (long)(v23);
    acc1 = as_long((ulong)acc1+(ulong)v24);
    float v25 = in0[r0*64+g1*8+2];
    int v26 = (int)(v25);
    int v27 = (3==0||3==-1?0:v26%3);
    uchar v28 = (v27==0);
    uchar v29 = (v28==0);
    uchar v30 = (v27<0);
    uchar v31 = (v30==v6);
    uchar v32 = (v31==0);
    uchar v33 = (v29&&v32);
    int v34 = as_int((uint)v27+(uint)3);
    int v35 = (v33?v34:v27);
    long v36 = (long)(v35);
    acc2 = as_long((ulong)acc2+(ulong)v36);
    float v37 = in0[r0*64+g1*8+3];
    int v38 = (int)(v37);
    int v39 = (3==0||3==-1?0:v38%3);
    uchar v40 = (v39==0);
    uchar v41 = (v40==0);
    uchar v42 = (v39<0);
    uchar v43 = (v42==v6);
    uchar v44 = (v43==0);
    uchar v45 = (v41&&v44);
    int v46 = as_int((uint)v39+(uint)3);
    int v47 = (v45?v46:v39);
    long v48 = (long)(v47);
    acc3 = as_long((ulong)acc3+(ulong)v48);
    float v49 = in0[r0*64+g1*8+4];
    int v50 = (int)(v49);
    int v51 = (3==0||3==-1?0:v50%3);
    uchar v52 = (v51==0);
    uchar v53 = (v52==0);
    uchar v54 = (v51<0);
    uchar v55 = (v54==v6);
    uchar v56 = (v55==0);
    uchar v57 = (v53&&v56);
    int v58 = as_int((uint)v51+(uint)3);
    int v59 = (v57?v58:v51);
    long v60 = (long)(v59);
    acc4 = as_long((ulong)acc4+(ulong)v60);
    float v61 = in0[r0*64+g1*8+5];
    int v62 = (int)(v61);
    int v63 = (3==0||3==-1?0:v62%3);
    uchar v64 = (v63==0);
    uchar v65 = (v64==0);
    uchar v66 = (v63<0);
    uchar v67 = (v66==v6);
    uchar v68 = (v67==0);
    uchar v69 = (v65&&v68);
    int v70 = as_int((uint)v63+(uint)3);
    int v71 = (v69?v70:v63);
    long v72 = (long)(v71);
    acc5 = as_long((ulong)acc5+(ulong)v72);
    float v73 = in0[r0*64+g1*8+6];
    int v74 = (int)(v73);
    int v75 = (3==0||3==-1?0:v74%3);
    uchar v76 = (v75==0);
    uchar v77 = (v76==0);
    uchar v78 = (v75<0);
    uchar v79 = (v78==v6);
    uchar v80 = (v79==0);
    uchar v81 = (v77&&v80);
    int v82 = as_int((uint)v75+(uint)3);
    int v83 = (v81?v82:v75);
    long v84 = (long)(v83);
    acc6 = as_long((ulong)acc6+(ulong)v84);
    float v85 = in0[r0*64+g1*8+7];
    int v86 = (int)(v85);
    int v87 = (3==0||3==-1?0:v86%3);
    uchar v88 = (v87==0);
    uchar v89 = (v88==0);
    uchar v90 = (v87<0);
    uchar v91 = (v90==v6);
    uchar v92 = (v91==0);
    uchar v93 = (v89&&v92);
    int v94 = as_int((uint)v87+(uint)3);
    int v95 = (v93?v94:v87);
    long v96 = (long)(v95);
    acc7 = as_long((ulong)acc7+(ulong)v96);
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

// 1: (16, 64) dtypes.float32 global 16 local 8
#undef exp2
#define exp2 xexp2
static inline float __attribute__((overloadable)) xexp2(float x) { float c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int k = convert_int(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float((h+127) << 23)*as_float((k-h+127) << 23); }
static inline float2 __attribute__((overloadable)) xexp2(float2 x) { float2 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int2 k = convert_int2(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float2((h+127) << 23)*as_float2((k-h+127) << 23); }
static inline float3 __attribute__((overloadable)) xexp2(float3 x) { float3 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int3 k = convert_int3(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float3((h+127) << 23)*as_float3((k-h+127) << 23); }
static inline float4 __attribute__((overloadable)) xexp2(float4 x) { float4 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int4 k = convert_int4(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float4((h+127) << 23)*as_float4((k-h+127) << 23); }
static inline float8 __attribute__((overloadable)) xexp2(float8 x) { float8 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int8 k = convert_int8(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float8((h+127) << 23)*as_float8((k-h+127) << 23); }
static inline float16 __attribute__((overloadable)) xexp2(float16 x) { float16 c = fmin(fmax(x, -152.0f), 129.0f), n = rint(c), f = c - n; int16 k = convert_int16(n), h = k >> 1; return x != x ? x : ((((((1.5337577e-4f*f+1.339986e-3f)*f+9.6185198e-3f)*f+5.550329e-2f)*f+0.24022646f)*f+0.69314718f)*f+1.0f)*as_float16((h+127) << 23)*as_float16((k-h+127) << 23); }
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_16_64_f5e9ff79(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = gid;
  float8 vacc0_0 = -INFINITY;
  for (int r1 = 0; r1 < 8; r1++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*64+r1*8);
    vacc0_0 = (((vacc0_0>v0)||(vacc0_0!=vacc0_0))?vacc0_0:v0);
  }
  float acc0_0 = vacc0_0.s0; acc0_0 = (((acc0_0>vacc0_0.s1)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s1); acc0_0 = (((acc0_0>vacc0_0.s2)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s2); acc0_0 = (((acc0_0>vacc0_0.s3)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s3); acc0_0 = (((acc0_0>vacc0_0.s4)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s4); acc0_0 = (((acc0_0>vacc0_0.s5)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s5); acc0_0 = (((acc0_0>vacc0_0.s6)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s6); acc0_0 = (((acc0_0>vacc0_0.s7)||(acc0_0!=acc0_0))?acc0_0:vacc0_0.s7);
  float8 vacc1_0 = 0.0f;
  for (int r1 = 0; r1 < 8; r1++) {
    float8 v1 = *(__global const ufloat8*)(in0+g0*64+r1*8);
    float8 v2 = (v1-acc0_0);
    float8 v3 = (v2*1.4426950408889634f);
    float8 v4 = exp2(v3);
    vacc1_0 = (vacc1_0+v4);
    *(__global ufloat8*)(out+g0*64+r1*8) = v4;
  }
  float acc1_0 = vacc1_0.s0; acc1_0 = (acc1_0+vacc1_0.s1); acc1_0 = (acc1_0+vacc1_0.s2); acc1_0 = (acc1_0+vacc1_0.s3); acc1_0 = (acc1_0+vacc1_0.s4); acc1_0 = (acc1_0+vacc1_0.s5); acc1_0 = (acc1_0+vacc1_0.s6); acc1_0 = (acc1_0+vacc1_0.s7);
  for (int r1 = 0; r1 < 8; r1++) {
    float8 v5 = *(__global ufloat8*)(out+g0*64+r1*8);
    float8 v6 = (v5/acc1_0);
    *(__global ufloat8*)(out+g0*64+r1*8) = v6;
  }
}

// 2: (1, 1) dtypes.float32 global 1 local 1
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_16_64_55b23df3(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  float8 vacc0 = -INFINITY;
  for (int r0 = 0; r0 < 16; r0++) {
  for (int r1 = 0; r1 < 8; r1++) {
    float8 v0 = *(__global const ufloat8*)(in0+r0*64+r1*8);
    vacc0 = (((vacc0>v0)||(vacc0!=vacc0))?vacc0:v0);
  }}
  float acc0 = vacc0.s0; acc0 = (((acc0>vacc0.s1)||(acc0!=acc0))?acc0:vacc0.s1); acc0 = (((acc0>vacc0.s2)||(acc0!=acc0))?acc0:vacc0.s2); acc0 = (((acc0>vacc0.s3)||(acc0!=acc0))?acc0:vacc0.s3); acc0 = (((acc0>vacc0.s4)||(acc0!=acc0))?acc0:vacc0.s4); acc0 = (((acc0>vacc0.s5)||(acc0!=acc0))?acc0:vacc0.s5); acc0 = (((acc0>vacc0.s6)||(acc0!=acc0))?acc0:vacc0.s6); acc0 = (((acc0>vacc0.s7)||(acc0!=acc0))?acc0:vacc0.s7);
  out[gid] = acc0;
}

// 3: (16, 1) dtypes.float32 global 16 local 8
typedef float8 __attribute__((aligned(4))) ufloat8;
__attribute__((vec_type_hint(float8))) __kernel void r_16_64_fb2648af(__global float* out, __global const float* in0) {
  int gid = get_global_id(0);
  int g0 = gid;
  float8 vacc0 = 0.0f;
  for (int r1 = 0; r1 < 8; r1++) {
    float8 v0 = *(__global const ufloat8*)(in0+g0*64+r1*8);
    vacc0 = (vacc0+v0);
  }
  float acc0 = vacc0.s0; acc0 = (acc0+vacc0.s1); acc0 = (acc0+vacc0.s2); acc0 = (acc0+vacc0.s3); acc0 = (acc0+vacc0.s4); acc0 = (acc0+vacc0.s5); acc0 = (acc0+vacc0.s6); acc0 = (acc0+vacc0.s7);
  out[g0] = acc0;
}
