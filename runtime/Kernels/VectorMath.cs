using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    // Helpers shared by the VectorMath functions and the activation operators.
    public static partial class VectorMath
    {
        /// <summary>
        /// min(max(x, low), high) where NaN stays NaN. <c>MaxNative</c>/<c>MinNative</c> are one instruction
        /// (x86 maxps/minps return their second operand when either is NaN, Arm's fmax/fmin return NaN), so the
        /// bound goes first and x second. The scalar form below makes the same choices.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector256<float> ClampKeepingNaN(Vector256<float> x, float low, float high)
            => Vector256.MinNative(Vector256.Create(high), Vector256.MaxNative(Vector256.Create(low), x));

        /// <inheritdoc cref="ClampKeepingNaN(Vector256{float}, float, float)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector128<float> ClampKeepingNaN(Vector128<float> x, float low, float high)
            => Vector128.MinNative(Vector128.Create(high), Vector128.MaxNative(Vector128.Create(low), x));

        /// <inheritdoc cref="ClampKeepingNaN(Vector256{float}, float, float)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> ClampKeepingNaN(Vector512<float> x, float low, float high)
            => Vector512.MinNative(Vector512.Create(high), Vector512.MaxNative(Vector512.Create(low), x));

        /// <summary>Scalar twin of the vector clamp: NaN fails both comparisons and is returned as is.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float ClampKeepingNaN(float x, float low, float high)
            => x < low ? low : x > high ? high : x;
    }
}
