using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    // Activations built on VectorMath.Exp / ExpM1 / Tanh. Exp saturates to +∞ and 0 (never NaN), so the
    // limits below come out of the formulas themselves, without special cases.

    /// <summary>Infrastructure for generated code; not part of the supported API. Sigmoid: 1/(1 + e^−x). ≤ 4 ulp. sigmoid(−∞) = 0, (+∞) = 1, (NaN) = NaN.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct SigmoidOp : IActivationOperator
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => 1f / (1f + VectorMath.Exp(-x));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x)
            => Vector128<float>.One / (Vector128<float>.One + VectorMath.Exp(-x));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x)
            => Vector256<float>.One / (Vector256<float>.One + VectorMath.Exp(-x));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
            => Vector512<float>.One / (Vector512<float>.One + VectorMath.Exp(-x));
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// SiLU: x/(1 + e^−x), PyTorch's own form. ≤ 4 ulp. silu(+∞) = +∞; silu(−∞) = −∞/∞ = NaN, as in PyTorch;
    /// below about −89, e^−x overflows and the result is −0 (the true value is below float's range there too).
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct SiluOp : IActivationOperator
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => x / (1f + VectorMath.Exp(-x));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x) => x / (Vector128<float>.One + VectorMath.Exp(-x));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + VectorMath.Exp(-x));

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + VectorMath.Exp(-x));
    }

    /// <summary>Infrastructure for generated code; not part of the supported API. Tanh: see <see cref="VectorMath.Tanh(float)"/>. tanh(±∞) = ±1, (NaN) = NaN.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct TanhOp : IActivationOperator
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => VectorMath.Tanh(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.Tanh(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.Tanh(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x) => VectorMath.Tanh(x);
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// ELU: x &gt; 0 ? x : alpha·(e^x − 1), with e^x − 1 from <see cref="VectorMath.ExpM1(float)"/> as PyTorch
    /// (expm1), accurate for small negative x. elu(−∞) = −alpha, (+∞) = +∞, (NaN) = NaN.
    /// Takes alpha as an argument, so it is not an <see cref="IActivationOperator"/>.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct EluOp
    {
        /// <summary>The activation of one value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x, float alpha) => x > 0f ? x : alpha * VectorMath.ExpM1(x);

        /// <summary>The activation of each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x, float alpha)
            => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<float>.Zero), x,
                Vector128.Create(alpha) * VectorMath.ExpM1(x));

        /// <summary>The activation of each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x, float alpha)
            => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), x,
                Vector256.Create(alpha) * VectorMath.ExpM1(x));

        /// <summary>The activation of each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x, float alpha)
            => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), x,
                Vector512.Create(alpha) * VectorMath.ExpM1(x));
    }
}
