using System;

namespace FusedNet.Tests.Weights
{
    /// <summary>
    /// Round-to-nearest-even into F16 and BF16, computed independently of System.Half and of the runtime's
    /// bit tricks: scale by the target's ulp in double (exact), round with MidpointRounding.ToEven, scale back.
    /// Returns the rounded value widened to float (every F16/BF16 value is an exact float).
    /// </summary>
    internal static class ReferenceRounding
    {
        /// <summary>IEEE binary16: 10 fraction bits, exponents -14..15 (subnormals below 2^-14).</summary>
        public static float ToHalf(float value) => Round(value, fractionBits: 10, minExponent: -14, maxExponent: 15);

        /// <summary>bfloat16: 7 fraction bits, float32's exponent range.</summary>
        public static float ToBFloat16(float value) => Round(value, fractionBits: 7, minExponent: -126, maxExponent: 127);

        private static float Round(float value, int fractionBits, int minExponent, int maxExponent)
        {
            if (float.IsNaN(value) || float.IsInfinity(value) || value == 0)
                return value;

            double exact = value;
            // Subnormals share the smallest normal exponent's ulp.
            int exponent = Math.Max(Math.ILogB(exact), minExponent);
            double ulp = Math.ScaleB(1.0, exponent - fractionBits);
            double rounded = Math.Round(exact / ulp, MidpointRounding.ToEven) * ulp;

            // Overflow is decided after rounding with an unbounded exponent, as IEEE 754 specifies.
            double maxFinite = (2.0 - Math.ScaleB(1.0, -fractionBits)) * Math.ScaleB(1.0, maxExponent);
            if (Math.Abs(rounded) > maxFinite)
                return value > 0 ? float.PositiveInfinity : float.NegativeInfinity;
            if (rounded == 0)
                return value < 0 ? -0.0f : 0.0f;
            return (float)rounded;
        }
    }
}
