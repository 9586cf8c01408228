using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    public static partial class VectorMath
    {
        // erf is odd: computed on a = |x|, then given x's sign, in two ranges (both computed, one selected per lane):
        //   a < 1:  erf(a) = a·P(a²), P of degree 5 (Chebyshev interpolation of erf(√u)/√u on u in [0, 1],
        //           relative error 4e-8 before float rounding): accurate relative to the result near 0.
        //   a ≥ 1:  erf(a) = 1 − e^(−a²)·R(1/a), where R(t) interpolates erfcx(1/t) = e^(1/t²)·erfc(1/t) on
        //           t in [1/4, 1], degree 8, relative error 1.7e-7; erfc ≤ 0.16 here, so erf's absolute error
        //           stays below 3e-8 plus rounding. Rounding a² changes e^(−a²) by ≤ 8·2^-24 relative: negligible.
        // Past a = 4, erf rounds to 1 (erfc(4) = 1.5e-8 < 2^-25), so a is clamped there.
        private const float ErfSmallRangeLimit = 1f;
        private const float ErfSaturation = 4f;
        private const float ErfP0 = 1.1283791f, ErfP1 = -0.37612343f, ErfP2 = 0.11280317f,
                            ErfP3 = -0.026715055f, ErfP4 = 0.004921762f, ErfP5 = -0.000564806f;
        private const float ErfR0 = 0.00030501775f, ErfR1 = 0.5584799f, ErfR2 = 0.04583791f,
                            ErfR3 = -0.4859395f, ErfR4 = 0.52907056f, ErfR5 = -0.2865356f,
                            ErfR6 = 0.061354145f, ErfR7 = 0.010945135f, ErfR8 = -0.005934023f;
        private const int SignBit = unchecked((int)0x80000000);

        /// <summary>erf(x): absolute error ≤ 1.2e-7, exactly ±1 for |x| ≥ 4, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Erf(float x)
        {
            float a = MathF.Abs(x);
            // Same NaN path as the vector form: NaN fails both comparisons and goes through the large range.
            float magnitude = a < ErfSmallRangeLimit ? ErfSmallRange(a) : ErfLargeRange(a > ErfSaturation ? ErfSaturation : a);
            return MathF.CopySign(magnitude, x);
        }

        /// <summary>erf(x) per lane: absolute error ≤ 1.2e-7, exactly ±1 for |x| ≥ 4, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Erf(Vector128<float> x)
        {
            var a = Vector128.Abs(x);
            var small = ErfSmallRange(a);
            // MinNative with the bound first lets NaN through (see ClampKeepingNaN).
            var large = ErfLargeRange(Vector128.MinNative(Vector128.Create(ErfSaturation), a));
            var magnitude = Vector128.ConditionalSelect(Vector128.LessThan(a, Vector128.Create(ErfSmallRangeLimit)), small, large);
            return magnitude | (x & Vector128.Create(SignBit).AsSingle());
        }

        /// <summary>erf(x) per lane: absolute error ≤ 1.2e-7, exactly ±1 for |x| ≥ 4, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Erf(Vector256<float> x)
        {
            var a = Vector256.Abs(x);
            var small = ErfSmallRange(a);
            // MinNative with the bound first lets NaN through (see ClampKeepingNaN).
            var large = ErfLargeRange(Vector256.MinNative(Vector256.Create(ErfSaturation), a));
            var magnitude = Vector256.ConditionalSelect(Vector256.LessThan(a, Vector256.Create(ErfSmallRangeLimit)), small, large);
            return magnitude | (x & Vector256.Create(SignBit).AsSingle());
        }

        /// <summary>erf(x) per lane: absolute error ≤ 1.2e-7, exactly ±1 for |x| ≥ 4, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Erf(Vector512<float> x)
        {
            var a = Vector512.Abs(x);
            var small = ErfSmallRange(a);
            var large = ErfLargeRange(Vector512.MinNative(Vector512.Create(ErfSaturation), a));
            var magnitude = Vector512.ConditionalSelect(Vector512.LessThan(a, Vector512.Create(ErfSmallRangeLimit)), small, large);
            return magnitude | (x & Vector512.Create(SignBit).AsSingle());
        }

        // ---- the two ranges, for a = |x| ----

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float ErfSmallRange(float a)
        {
            float u = a * a;
            float p = float.MultiplyAddEstimate(ErfP5, u, ErfP4);
            p = float.MultiplyAddEstimate(p, u, ErfP3);
            p = float.MultiplyAddEstimate(p, u, ErfP2);
            p = float.MultiplyAddEstimate(p, u, ErfP1);
            p = float.MultiplyAddEstimate(p, u, ErfP0);
            return a * p;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float ErfLargeRange(float a)
        {
            float t = 1f / a;
            float r = float.MultiplyAddEstimate(ErfR8, t, ErfR7);
            r = float.MultiplyAddEstimate(r, t, ErfR6);
            r = float.MultiplyAddEstimate(r, t, ErfR5);
            r = float.MultiplyAddEstimate(r, t, ErfR4);
            r = float.MultiplyAddEstimate(r, t, ErfR3);
            r = float.MultiplyAddEstimate(r, t, ErfR2);
            r = float.MultiplyAddEstimate(r, t, ErfR1);
            r = float.MultiplyAddEstimate(r, t, ErfR0);
            // a ≤ 4, so −a² ≥ −16 is inside Exp's range and needs no clamp.
            return 1f - ExpOfClamped(-(a * a)) * r;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ErfSmallRange(Vector128<float> a)
        {
            var u = a * a;
            var p = Vector128.MultiplyAddEstimate(Vector128.Create(ErfP5), u, Vector128.Create(ErfP4));
            p = Vector128.MultiplyAddEstimate(p, u, Vector128.Create(ErfP3));
            p = Vector128.MultiplyAddEstimate(p, u, Vector128.Create(ErfP2));
            p = Vector128.MultiplyAddEstimate(p, u, Vector128.Create(ErfP1));
            p = Vector128.MultiplyAddEstimate(p, u, Vector128.Create(ErfP0));
            return a * p;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ErfSmallRange(Vector256<float> a)
        {
            var u = a * a;
            var p = Vector256.MultiplyAddEstimate(Vector256.Create(ErfP5), u, Vector256.Create(ErfP4));
            p = Vector256.MultiplyAddEstimate(p, u, Vector256.Create(ErfP3));
            p = Vector256.MultiplyAddEstimate(p, u, Vector256.Create(ErfP2));
            p = Vector256.MultiplyAddEstimate(p, u, Vector256.Create(ErfP1));
            p = Vector256.MultiplyAddEstimate(p, u, Vector256.Create(ErfP0));
            return a * p;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ErfLargeRange(Vector128<float> a)
        {
            var t = Vector128<float>.One / a;
            var r = Vector128.MultiplyAddEstimate(Vector128.Create(ErfR8), t, Vector128.Create(ErfR7));
            r = Vector128.MultiplyAddEstimate(r, t, Vector128.Create(ErfR6));
            r = Vector128.MultiplyAddEstimate(r, t, Vector128.Create(ErfR5));
            r = Vector128.MultiplyAddEstimate(r, t, Vector128.Create(ErfR4));
            r = Vector128.MultiplyAddEstimate(r, t, Vector128.Create(ErfR3));
            r = Vector128.MultiplyAddEstimate(r, t, Vector128.Create(ErfR2));
            r = Vector128.MultiplyAddEstimate(r, t, Vector128.Create(ErfR1));
            r = Vector128.MultiplyAddEstimate(r, t, Vector128.Create(ErfR0));
            return Vector128<float>.One - ExpOfClamped(-(a * a)) * r;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ErfLargeRange(Vector256<float> a)
        {
            var t = Vector256<float>.One / a;
            var r = Vector256.MultiplyAddEstimate(Vector256.Create(ErfR8), t, Vector256.Create(ErfR7));
            r = Vector256.MultiplyAddEstimate(r, t, Vector256.Create(ErfR6));
            r = Vector256.MultiplyAddEstimate(r, t, Vector256.Create(ErfR5));
            r = Vector256.MultiplyAddEstimate(r, t, Vector256.Create(ErfR4));
            r = Vector256.MultiplyAddEstimate(r, t, Vector256.Create(ErfR3));
            r = Vector256.MultiplyAddEstimate(r, t, Vector256.Create(ErfR2));
            r = Vector256.MultiplyAddEstimate(r, t, Vector256.Create(ErfR1));
            r = Vector256.MultiplyAddEstimate(r, t, Vector256.Create(ErfR0));
            return Vector256<float>.One - ExpOfClamped(-(a * a)) * r;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ErfSmallRange(Vector512<float> a)
        {
            var u = a * a;
            var p = Vector512.MultiplyAddEstimate(Vector512.Create(ErfP5), u, Vector512.Create(ErfP4));
            p = Vector512.MultiplyAddEstimate(p, u, Vector512.Create(ErfP3));
            p = Vector512.MultiplyAddEstimate(p, u, Vector512.Create(ErfP2));
            p = Vector512.MultiplyAddEstimate(p, u, Vector512.Create(ErfP1));
            p = Vector512.MultiplyAddEstimate(p, u, Vector512.Create(ErfP0));
            return a * p;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ErfLargeRange(Vector512<float> a)
        {
            var t = Vector512<float>.One / a;
            var r = Vector512.MultiplyAddEstimate(Vector512.Create(ErfR8), t, Vector512.Create(ErfR7));
            r = Vector512.MultiplyAddEstimate(r, t, Vector512.Create(ErfR6));
            r = Vector512.MultiplyAddEstimate(r, t, Vector512.Create(ErfR5));
            r = Vector512.MultiplyAddEstimate(r, t, Vector512.Create(ErfR4));
            r = Vector512.MultiplyAddEstimate(r, t, Vector512.Create(ErfR3));
            r = Vector512.MultiplyAddEstimate(r, t, Vector512.Create(ErfR2));
            r = Vector512.MultiplyAddEstimate(r, t, Vector512.Create(ErfR1));
            r = Vector512.MultiplyAddEstimate(r, t, Vector512.Create(ErfR0));
            return Vector512<float>.One - ExpOfClamped(-(a * a)) * r;
        }
    }
}
