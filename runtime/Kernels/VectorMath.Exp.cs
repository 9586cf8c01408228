using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Float math functions with a scalar, a <see cref="Vector128{T}"/>, a <see cref="Vector256{T}"/> and a <see cref="Vector512{T}"/> form that run
    /// the same algorithm (same reduction, same polynomial), so a kernel's vector body and its scalar tail agree.
    /// Only cross-platform vector APIs are used, so every form is correct on any CPU (the generated kernels pick
    /// the widest hardware-accelerated one). NaN in gives NaN out; ±∞ give the limits.
    /// Measured accuracy (tests/FusedNet.Tests/Kernels/ActivationTests.cs, against a double reference):
    /// <list type="bullet">
    /// <item><see cref="Exp(float)"/>: ≤ 2 ulp (about 1 ulp seen), exact 1 at 0, overflow → +∞, subnormal results rounded once.</item>
    /// <item><see cref="ExpM1(float)"/>: ≤ 2 ulp, accurate relative to the result near 0.</item>
    /// <item><see cref="Tanh(float)"/>: ≤ 3 ulp, accurate relative to the result near 0, exactly ±1 for |x| ≥ 10.</item>
    /// <item><see cref="Erf(float)"/>: absolute error ≤ 1.2e-7 (below 2^-23), and ≤ 3 ulp relative for |x| &lt; 1.</item>
    /// </list>
    /// </summary>
    /// <remarks>
    /// Why not <c>Vector256.Exp</c> from .NET 10: measured here it is 2.3 ulp off (exp(0) = 1.0000001) and about half
    /// as fast as this float-only version, because it widens to double. .NET has no vector Tanh or Erf.
    /// Multiply-adds use MultiplyAddEstimate: fused where the CPU has FMA, multiply then add where it has not (the
    /// software fallback of a true FMA would be a slow per-element call). Every reduction step is exact either way.
    /// </remarks>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static partial class VectorMath
    {
        // Range reduction x = k·ln2 + r with k = round(x·log2 e) and |r| ≤ ln2/2 (Cody–Waite: ln2 split in two
        // so that k·Ln2High is exact for |k| < 2^12, and the subtraction loses nothing).
        private const float Log2E = 1.44269504f;
        private const float Ln2High = 0.693145752f;     // 0x3F317200: 12 trailing zero bits
        private const float Ln2Low = 1.42860677e-6f;    // ln2 − Ln2High
        // Adding 1.5·2^23 rounds a float of magnitude < 2^22 to the nearest integer (ties to even), and leaves that
        // integer in the low mantissa bits: the bits of (v + RoundingBias) minus RoundingBiasBits are round(v).
        private const float RoundingBias = 12582912f;
        private const int RoundingBiasBits = 0x4B400000;

        // e^r − 1 ≈ r + r²·(C2 + C3·r + C4·r² + C5·r³ + C6·r⁴) on |r| ≤ ln2/2: Chebyshev interpolation of
        // (e^r − 1 − r)/r², max relative error 1.0e-8 before float rounding.
        private const float ExpC2 = 0.5f;
        private const float ExpC3 = 0.16666578f;
        private const float ExpC4 = 0.041666556f;
        private const float ExpC5 = 0.008363173f;
        private const float ExpC6 = 0.0013926176f;

        // Exp clamps its input here: e^89 overflows to +∞ and e^-110 rounds to 0, so clamping changes no result,
        // and k stays in [-159, 128], which ScaleByPowerOfTwo handles.
        private const float ExpMinInput = -110f;
        private const float ExpMaxInput = 89f;
        // e^x − 1 rounds to −1 below −17.4; clamping at −20 keeps 2^−k (k ≥ −29) a normal float.
        private const float ExpM1MinInput = -20f;
        // 1 − 2^−k rounds to 1 for k ≥ 25; capping k at 30 keeps 2^−k a normal float.
        private const int ExpM1MaxReciprocalPower = 30;

        /// <summary>e^x. See <see cref="VectorMath"/> for accuracy.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Exp(float x) => ExpOfClamped(ClampKeepingNaN(x, ExpMinInput, ExpMaxInput));

        /// <summary>e^x per lane. See <see cref="VectorMath"/> for accuracy.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Exp(Vector128<float> x) => ExpOfClamped(ClampKeepingNaN(x, ExpMinInput, ExpMaxInput));

        /// <summary>e^x per lane. See <see cref="VectorMath"/> for accuracy.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Exp(Vector256<float> x) => ExpOfClamped(ClampKeepingNaN(x, ExpMinInput, ExpMaxInput));

        /// <summary>e^x per lane. See <see cref="VectorMath"/> for accuracy.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Exp(Vector512<float> x) => ExpOfClamped(ClampKeepingNaN(x, ExpMinInput, ExpMaxInput));

        /// <summary>e^x − 1, accurate near 0 where e^x − 1 would cancel. See <see cref="VectorMath"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float ExpM1(float x) => ExpM1OfClamped(ClampKeepingNaN(x, ExpM1MinInput, ExpMaxInput));

        /// <summary>e^x − 1 per lane, accurate near 0. See <see cref="VectorMath"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> ExpM1(Vector128<float> x) => ExpM1OfClamped(ClampKeepingNaN(x, ExpM1MinInput, ExpMaxInput));

        /// <summary>e^x − 1 per lane, accurate near 0. See <see cref="VectorMath"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> ExpM1(Vector256<float> x) => ExpM1OfClamped(ClampKeepingNaN(x, ExpM1MinInput, ExpMaxInput));

        /// <summary>e^x − 1 per lane, accurate near 0. See <see cref="VectorMath"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> ExpM1(Vector512<float> x) => ExpM1OfClamped(ClampKeepingNaN(x, ExpM1MinInput, ExpMaxInput));

        // ---- Scalar form ----

        /// <summary>e^x for x in [ExpMinInput, ExpMaxInput] or NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float ExpOfClamped(float x)
        {
            float r = ReduceByLn2(x, out int k);
            return ScaleByPowerOfTwo(1f + ExpM1OfReduced(r), k);
        }

        /// <summary>e^x − 1 for x in [ExpM1MinInput, ExpMaxInput] or NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float ExpM1OfClamped(float x)
        {
            // e^x − 1 = 2^k·(e^r − 1 + 1 − 2^−k): for k = 0 this is e^r − 1 itself (no cancellation near 0);
            // otherwise the sum is rounded once and then scaled exactly.
            float r = ReduceByLn2(x, out int k);
            float oneMinusReciprocal = 1f - PowerOfTwo(-Math.Min(k, ExpM1MaxReciprocalPower));
            return ScaleByPowerOfTwo(ExpM1OfReduced(r) + oneMinusReciprocal, k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float ReduceByLn2(float x, out int k)
        {
            float biased = float.MultiplyAddEstimate(x, Log2E, RoundingBias);
            float n = biased - RoundingBias;
            k = BitConverter.SingleToInt32Bits(biased) - RoundingBiasBits;
            float r = float.MultiplyAddEstimate(n, -Ln2High, x);
            return float.MultiplyAddEstimate(n, -Ln2Low, r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float ExpM1OfReduced(float r)
        {
            float q = float.MultiplyAddEstimate(ExpC6, r, ExpC5);
            q = float.MultiplyAddEstimate(q, r, ExpC4);
            q = float.MultiplyAddEstimate(q, r, ExpC3);
            q = float.MultiplyAddEstimate(q, r, ExpC2);
            return float.MultiplyAddEstimate(q, r * r, r);
        }

        /// <summary>
        /// v·2^k for k in [-159, 128], in two exact steps of 2^(k/2) so neither factor leaves the normal range:
        /// a subnormal result is rounded once, at the second multiply, and an overflow becomes +∞.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float ScaleByPowerOfTwo(float v, int k)
        {
            int half = k >> 1;
            return v * PowerOfTwo(half) * PowerOfTwo(k - half);
        }

        /// <summary>2^k for k in [-126, 127], built from the exponent bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float PowerOfTwo(int k) => BitConverter.Int32BitsToSingle((k + 127) << 23);

        // ---- Vector128 and Vector256 forms: the scalar steps above, lane-wise ----

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ExpOfClamped(Vector128<float> x)
        {
            var r = ReduceByLn2(x, out var k);
            return ScaleByPowerOfTwo(Vector128<float>.One + ExpM1OfReduced(r), k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ExpOfClamped(Vector256<float> x)
        {
            var r = ReduceByLn2(x, out var k);
            return ScaleByPowerOfTwo(Vector256<float>.One + ExpM1OfReduced(r), k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ExpM1OfClamped(Vector128<float> x)
        {
            var r = ReduceByLn2(x, out var k);
            var oneMinusReciprocal = Vector128<float>.One
                - PowerOfTwo(-Vector128.Min(k, Vector128.Create(ExpM1MaxReciprocalPower)));
            return ScaleByPowerOfTwo(ExpM1OfReduced(r) + oneMinusReciprocal, k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ExpM1OfClamped(Vector256<float> x)
        {
            var r = ReduceByLn2(x, out var k);
            var oneMinusReciprocal = Vector256<float>.One
                - PowerOfTwo(-Vector256.Min(k, Vector256.Create(ExpM1MaxReciprocalPower)));
            return ScaleByPowerOfTwo(ExpM1OfReduced(r) + oneMinusReciprocal, k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ReduceByLn2(Vector128<float> x, out Vector128<int> k)
        {
            var biased = Vector128.MultiplyAddEstimate(x, Vector128.Create(Log2E), Vector128.Create(RoundingBias));
            var n = biased - Vector128.Create(RoundingBias);
            k = biased.AsInt32() - Vector128.Create(RoundingBiasBits);
            var r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2High), x);
            return Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2Low), r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ReduceByLn2(Vector256<float> x, out Vector256<int> k)
        {
            var biased = Vector256.MultiplyAddEstimate(x, Vector256.Create(Log2E), Vector256.Create(RoundingBias));
            var n = biased - Vector256.Create(RoundingBias);
            k = biased.AsInt32() - Vector256.Create(RoundingBiasBits);
            var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), x);
            return Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ExpM1OfReduced(Vector128<float> r)
        {
            var q = Vector128.MultiplyAddEstimate(Vector128.Create(ExpC6), r, Vector128.Create(ExpC5));
            q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(ExpC4));
            q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(ExpC3));
            q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(ExpC2));
            return Vector128.MultiplyAddEstimate(q, r * r, r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ExpM1OfReduced(Vector256<float> r)
        {
            var q = Vector256.MultiplyAddEstimate(Vector256.Create(ExpC6), r, Vector256.Create(ExpC5));
            q = Vector256.MultiplyAddEstimate(q, r, Vector256.Create(ExpC4));
            q = Vector256.MultiplyAddEstimate(q, r, Vector256.Create(ExpC3));
            q = Vector256.MultiplyAddEstimate(q, r, Vector256.Create(ExpC2));
            return Vector256.MultiplyAddEstimate(q, r * r, r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ScaleByPowerOfTwo(Vector128<float> v, Vector128<int> k)
        {
            var half = Vector128.ShiftRightArithmetic(k, 1);
            return v * PowerOfTwo(half) * PowerOfTwo(k - half);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ScaleByPowerOfTwo(Vector256<float> v, Vector256<int> k)
        {
            var half = Vector256.ShiftRightArithmetic(k, 1);
            return v * PowerOfTwo(half) * PowerOfTwo(k - half);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> PowerOfTwo(Vector128<int> k)
            => Vector128.ShiftLeft(k + Vector128.Create(127), 23).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> PowerOfTwo(Vector256<int> k)
            => Vector256.ShiftLeft(k + Vector256.Create(127), 23).AsSingle();

        // ---- Vector512 form: the same steps ----

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ExpOfClamped(Vector512<float> x)
        {
            var r = ReduceByLn2(x, out var k);
            return ScaleByPowerOfTwo(Vector512<float>.One + ExpM1OfReduced(r), k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ExpM1OfClamped(Vector512<float> x)
        {
            var r = ReduceByLn2(x, out var k);
            var oneMinusReciprocal = Vector512<float>.One
                - PowerOfTwo(-Vector512.Min(k, Vector512.Create(ExpM1MaxReciprocalPower)));
            return ScaleByPowerOfTwo(ExpM1OfReduced(r) + oneMinusReciprocal, k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ReduceByLn2(Vector512<float> x, out Vector512<int> k)
        {
            var biased = Vector512.MultiplyAddEstimate(x, Vector512.Create(Log2E), Vector512.Create(RoundingBias));
            var n = biased - Vector512.Create(RoundingBias);
            k = biased.AsInt32() - Vector512.Create(RoundingBiasBits);
            var r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2High), x);
            return Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2Low), r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ExpM1OfReduced(Vector512<float> r)
        {
            var q = Vector512.MultiplyAddEstimate(Vector512.Create(ExpC6), r, Vector512.Create(ExpC5));
            q = Vector512.MultiplyAddEstimate(q, r, Vector512.Create(ExpC4));
            q = Vector512.MultiplyAddEstimate(q, r, Vector512.Create(ExpC3));
            q = Vector512.MultiplyAddEstimate(q, r, Vector512.Create(ExpC2));
            return Vector512.MultiplyAddEstimate(q, r * r, r);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ScaleByPowerOfTwo(Vector512<float> v, Vector512<int> k)
        {
            var half = Vector512.ShiftRightArithmetic(k, 1);
            return v * PowerOfTwo(half) * PowerOfTwo(k - half);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> PowerOfTwo(Vector512<int> k)
            => Vector512.ShiftLeft(k + Vector512.Create(127), 23).AsSingle();
    }
}
