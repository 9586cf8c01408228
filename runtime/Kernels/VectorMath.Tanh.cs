using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FusedNet.Kernels
{
    public static partial class VectorMath
    {
        // tanh(x) = (e^2x − 1)/(e^2x + 1) = m/(m + 2) with m = e^2x − 1 from ExpM1, which stays accurate relative
        // to x near 0 (no 1 − 2/(e^2x + 1) cancellation). Past |x| = 10, tanh rounds to ±1, so clamping there
        // avoids ∞/∞ = NaN for large inputs and gives exactly ±1.
        private const float TanhSaturation = 10f;

        /// <summary>tanh(x): ≤ 3 ulp, exactly ±1 for |x| ≥ 10, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Tanh(float x)
        {
            float m = ExpM1OfClamped(2f * ClampKeepingNaN(x, -TanhSaturation, TanhSaturation));
            return m / (m + 2f);
        }

        /// <summary>tanh(x) per lane: ≤ 3 ulp, exactly ±1 for |x| ≥ 10, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Tanh(Vector128<float> x)
        {
            var clamped = ClampKeepingNaN(x, -TanhSaturation, TanhSaturation);
            var m = ExpM1OfClamped(clamped + clamped);
            return m / (m + Vector128.Create(2f));
        }

        /// <summary>tanh(x) per lane: ≤ 3 ulp, exactly ±1 for |x| ≥ 10, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Tanh(Vector256<float> x)
        {
            var clamped = ClampKeepingNaN(x, -TanhSaturation, TanhSaturation);
            var m = ExpM1OfClamped(clamped + clamped);
            return m / (m + Vector256.Create(2f));
        }

        /// <summary>tanh(x) per lane: ≤ 3 ulp, exactly ±1 for |x| ≥ 10, NaN stays NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x)
        {
            var clamped = ClampKeepingNaN(x, -TanhSaturation, TanhSaturation);
            var m = ExpM1OfClamped(clamped + clamped);
            return m / (m + Vector512.Create(2f));
        }
    }
}
