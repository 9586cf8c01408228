using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// An element-wise activation with a scalar and three vector forms (Vector128, Vector256, Vector512) in one type, so they cannot drift apart.
    /// Generated kernels call it on accumulators still in registers (the vector forms) and on tails (the scalar
    /// form); <c>where TActivation : struct, IActivationOperator</c> makes each call a direct, inlined one.
    /// </summary>
    /// <remarks>
    /// Conventions shared by every operator:
    /// <list type="bullet">
    /// <item>Formulas are PyTorch's; where a formula is rewritten (for accuracy), the operator says so.</item>
    /// <item>NaN in gives NaN out, in every form. ±∞ give what PyTorch's formula gives in float, which for
    /// x·(something that tends to 0) at −∞ is NaN (SiLU, Hardswish, GELU): each operator lists its own.</item>
    /// <item>The scalar form runs the same steps as the vector forms; results agree within the stated error.</item>
    /// <item>Only cross-platform vector APIs are used, so every form is correct on any CPU; multiply-adds use
    /// MultiplyAddEstimate (fused where the CPU has FMA, else multiply then add: never a slow software FMA).</item>
    /// </list>
    /// </remarks>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public interface IActivationOperator
    {
        /// <summary>The activation of one value.</summary>
        static abstract float Invoke(float x);

        /// <summary>The activation of each lane.</summary>
        static abstract Vector128<float> Invoke(Vector128<float> x);

        /// <summary>The activation of each lane.</summary>
        static abstract Vector256<float> Invoke(Vector256<float> x);

        /// <summary>The activation of each lane.</summary>
        static abstract Vector512<float> Invoke(Vector512<float> x);
    }

    /// <summary>Infrastructure for generated code; not part of the supported API. y = x: what a step without an activation uses, so one kernel shape serves both.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public readonly struct IdentityOp : IActivationOperator
    {
        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Invoke(float x) => x;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Invoke(Vector128<float> x) => x;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Invoke(Vector256<float> x) => x;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Invoke(Vector512<float> x) => x;
    }
}
