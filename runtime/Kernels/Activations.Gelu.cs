using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// GELU, PyTorch's approximate='none': x·(0.5 + 0.5·erf(x/√2)), erf from <see cref="VectorMath.Erf(float)"/>.
    /// Error ≤ 2e-7 absolute + 4 ulp (erf's absolute error times 0.5·|x|). For x ≲ −4, 1 + erf cancels, as in
    /// PyTorch's own float computation, so tiny negative results carry an absolute, not a relative, error; below
    /// about −5.5 the result is 0. gelu(+∞) = +∞; gelu(−∞) = −∞·0 = NaN, as PyTorch's formula gives; NaN stays NaN.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct GeluOp : IActivationOperator
    {
        private const float InverseSqrt2 = 0.70710678f;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => x * float.MultiplyAddEstimate(VectorMath.Erf(x * InverseSqrt2), 0.5f, 0.5f);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x)
            => x * Vector128.MultiplyAddEstimate(VectorMath.Erf(x * Vector128.Create(InverseSqrt2)),
                Vector128.Create(0.5f), Vector128.Create(0.5f));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x)
            => x * Vector256.MultiplyAddEstimate(VectorMath.Erf(x * Vector256.Create(InverseSqrt2)),
                Vector256.Create(0.5f), Vector256.Create(0.5f));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
            => x * Vector512.MultiplyAddEstimate(VectorMath.Erf(x * Vector512.Create(InverseSqrt2)),
                Vector512.Create(0.5f), Vector512.Create(0.5f));
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// GELU, PyTorch's approximate='tanh': 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), computed in the
    /// equal form x/(1 + e^(−2u)) (since 0.5·(1 + tanh u) = 1/(1 + e^(−2u))): one exp, and no 1 + tanh
    /// cancellation for negative x. Error ≤ 5 ulp near 0 and for positive x; for negative x, e^(−2u) turns the
    /// rounding of u into a relative error growing like |2u|·2^-23, while the absolute error stays below 5e-8
    /// (PyTorch's 1 + tanh(u) in float is off by up to 6e-8·|x| there). Below x ≈ −9.9 the result is −0.
    /// geluTanh(+∞) = +∞; (−∞) = −∞/∞ = NaN, as PyTorch's formula gives (−∞·0); (NaN) = NaN.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct GeluTanhOp : IActivationOperator
    {
        // −2u = x·(MinusTwoSqrt2OverPi + MinusTwoSqrt2OverPiCubic·x²)
        private const float MinusTwoSqrt2OverPi = -1.5957691216f;          // −2·√(2/π)
        private const float MinusTwoSqrt2OverPiCubic = -0.0713548163f;     // −2·√(2/π)·0.044715

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x)
        {
            float minusTwoU = x * float.MultiplyAddEstimate(MinusTwoSqrt2OverPiCubic, x * x, MinusTwoSqrt2OverPi);
            return x / (1f + VectorMath.Exp(minusTwoU));
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x)
        {
            var minusTwoU = x * Vector128.MultiplyAddEstimate(Vector128.Create(MinusTwoSqrt2OverPiCubic), x * x,
                Vector128.Create(MinusTwoSqrt2OverPi));
            return x / (Vector128<float>.One + VectorMath.Exp(minusTwoU));
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x)
        {
            var minusTwoU = x * Vector256.MultiplyAddEstimate(Vector256.Create(MinusTwoSqrt2OverPiCubic), x * x,
                Vector256.Create(MinusTwoSqrt2OverPi));
            return x / (Vector256<float>.One + VectorMath.Exp(minusTwoU));
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
        {
            var minusTwoU = x * Vector512.MultiplyAddEstimate(Vector512.Create(MinusTwoSqrt2OverPiCubic), x * x,
                Vector512.Create(MinusTwoSqrt2OverPi));
            return x / (Vector512<float>.One + VectorMath.Exp(minusTwoU));
        }
    }
}
