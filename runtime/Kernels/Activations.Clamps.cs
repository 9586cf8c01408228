using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    // Piecewise-linear activations. Clamps use MaxNative/MinNative (one instruction; Vector256.Max and its siblings are an
    // IEEE-exact multi-instruction sequence in .NET 10) with the constant first and x second: x86 maxps/minps
    // return the second operand when either is NaN, so NaN stays NaN as in PyTorch. The scalar forms use
    // comparisons that NaN fails, which is the same choice: they agree bit for bit with the vector forms.

    /// <summary>Infrastructure for generated code; not part of the supported API. ReLU: max(x, 0). Exact. relu(NaN) = NaN, relu(−0) = −0.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct ReluOp : IActivationOperator
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => x < 0f ? 0f : x;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x) => Vector128.MaxNative(Vector128<float>.Zero, x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => Vector256.MaxNative(Vector256<float>.Zero, x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x) => Vector512.MaxNative(Vector512<float>.Zero, x);
    }

    /// <summary>Infrastructure for generated code; not part of the supported API. ReLU6: min(max(x, 0), 6). Exact. relu6(NaN) = NaN.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct Relu6Op : IActivationOperator
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => VectorMath.ClampKeepingNaN(x, 0f, 6f);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x) => VectorMath.ClampKeepingNaN(x, 0f, 6f);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => VectorMath.ClampKeepingNaN(x, 0f, 6f);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x) => VectorMath.ClampKeepingNaN(x, 0f, 6f);
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Hardsigmoid: min(max(x + 3, 0), 6) / 6. Multiplies by 1/6 where PyTorch divides by 6: at most 1 ulp apart.
    /// hardsigmoid(−∞) = 0, (+∞) = 1, (NaN) = NaN.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct HardsigmoidOp : IActivationOperator
    {
        private const float OneSixth = 1f / 6f;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => VectorMath.ClampKeepingNaN(x + 3f, 0f, 6f) * OneSixth;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x)
            => VectorMath.ClampKeepingNaN(x + Vector128.Create(3f), 0f, 6f) * Vector128.Create(OneSixth);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x)
            => VectorMath.ClampKeepingNaN(x + Vector256.Create(3f), 0f, 6f) * Vector256.Create(OneSixth);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x)
            => VectorMath.ClampKeepingNaN(x + Vector512.Create(3f), 0f, 6f) * Vector512.Create(OneSixth);
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Hardswish: x·min(max(x + 3, 0), 6) / 6, computed as x·hardsigmoid(x) (≤ 2 ulp from PyTorch's order).
    /// hardswish(+∞) = +∞; hardswish(−∞) = −∞·0 = NaN, as PyTorch's formula gives in float.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct HardswishOp : IActivationOperator
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => x * HardsigmoidOp.Invoke(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x) => x * HardsigmoidOp.Invoke(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => x * HardsigmoidOp.Invoke(x);

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x) => x * HardsigmoidOp.Invoke(x);
    }

    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// LeakyReLU: x ≥ 0 ? x : negativeSlope·x. PyTorch tests x &gt; 0; the two differ only in the sign of a zero
    /// result for x = −0. Exact. NaN stays NaN (NaN &lt; 0 is false, so x itself is kept).
    /// Takes its slope as an argument, so it is not an <see cref="IActivationOperator"/>.
    /// </summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct LeakyReluOp
    {
        /// <summary>The activation of one value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x, float negativeSlope) => x < 0f ? x * negativeSlope : x;

        /// <summary>The activation of each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x, float negativeSlope)
            => Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), x * Vector128.Create(negativeSlope), x);

        /// <summary>The activation of each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x, float negativeSlope)
            => Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), x * Vector256.Create(negativeSlope), x);

        /// <summary>The activation of each lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x, float negativeSlope)
            => Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), x * Vector512.Create(negativeSlope), x);
    }
}
