using System;

namespace FusedNet
{
    /// <summary>
    /// Exact widening of F16/BF16 to float and round-to-nearest-even narrowing back, as PyTorch does it.
    /// </summary>
    internal static class FloatConversions
    {
        /// <summary>BF16 is the upper half of a float32, so widening is a shift and always exact.</summary>
        public static float BFloat16BitsToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

        /// <summary>Float to BF16 bits, round to nearest even; NaN stays NaN, overflow becomes infinity.</summary>
        public static ushort SingleToBFloat16Bits(float value)
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            if (float.IsNaN(value))
            {
                // Truncating could clear every mantissa bit and turn NaN into infinity: force the quiet bit.
                return (ushort)((bits >> 16) | 0x0040);
            }
            // Adding 0x7FFF rounds up when the dropped half is above the midpoint; the +1 for an odd kept
            // bit breaks exact ties towards even. A carry into the exponent is the correct result
            // (including rounding the largest floats up to infinity).
            uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
            return (ushort)((bits + roundingBias) >> 16);
        }

        /// <summary>F16 is widened by System.Half, which is exact (every half is a float).</summary>
        public static float HalfToSingle(Half value) => (float)value;

        /// <summary>System.Half's narrowing rounds to nearest even, with overflow to infinity.</summary>
        public static Half SingleToHalf(float value) => (Half)value;
    }
}
