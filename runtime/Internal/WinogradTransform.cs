using System;
using System.ComponentModel;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Winograd F(4x4, 3x3): the transform matrices and the construction-time weight transform U = G·g·Gᵀ.
    /// </summary>
    /// <remarks>
    /// Source of the formulas: A. Lavin and S. Gray, "Fast Algorithms for Convolutional Neural Networks" (CVPR 2016),
    /// which builds F(m, r) from the Chinese-remainder / Toom-Cook construction: a 1-D correlation of m outputs with an
    /// r-tap filter is y = Aᵀ[(G·g) ⊙ (Bᵀ·d)], and the 2-D one nests it, Y = Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A. For F(4, 3) the
    /// interpolation points are 0, 1, −1, 2, −2 and ∞ (6 = m + r − 1 of them), in that order. Row k of G evaluates the filter
    /// polynomial g(x) = g0 + g1·x + g2·x² at point p_k divided by the Lagrange denominator Π_{j≠k}(p_k − p_j) over the
    /// finite points (the ∞ row takes the leading coefficient g2); column k of Aᵀ is the Vandermonde column of p_k
    /// (Aᵀ[i][k] = p_k^i; the ∞ column picks the top coefficient); row k of Bᵀ holds the ascending coefficients of
    /// Π_{j≠k}(x − p_j) over the finite points (for ∞: of all five). Written out:
    /// <code>
    ///       [ 4   0  -5   0   1   0 ]          [  1/4     0      0  ]        [ 1   1   1   1   1   0 ]
    ///       [ 0  -4  -4   1   1   0 ]          [ -1/6  -1/6   -1/6  ]   Aᵀ = [ 0   1  -1   2  -2   0 ]
    ///  Bᵀ = [ 0   4  -4  -1   1   0 ]     G =  [ -1/6   1/6   -1/6  ]        [ 0   1   1   4   4   0 ]
    ///       [ 0  -2  -1   2   1   0 ]          [ 1/24  1/12    1/6  ]        [ 0   1  -1   8  -8   1 ]
    ///       [ 0   2  -1  -2   1   0 ]          [ 1/24 -1/12    1/6  ]
    ///       [ 0   4   0  -5   0   1 ]          [   0     0      1   ]
    /// </code>
    /// WinogradTransformTests checks Y = direct correlation with these matrices in double, 1-D and 2-D.
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class WinogradTransform
    {
        /// <summary>Output tile size m (4 × 4 outputs per tile).</summary>
        public const int OutputTile = 4;

        /// <summary>Input tile size m + r − 1 = 6 (6 × 6 inputs per tile, 36 transformed values).</summary>
        public const int InputTile = 6;

        /// <summary>Bᵀ, 6 × 6: V = Bᵀ·d·B transforms a 6 × 6 input tile d.</summary>
        internal static readonly double[,] BT =
        {
            { 4, 0, -5, 0, 1, 0 },
            { 0, -4, -4, 1, 1, 0 },
            { 0, 4, -4, -1, 1, 0 },
            { 0, -2, -1, 2, 1, 0 },
            { 0, 2, -1, -2, 1, 0 },
            { 0, 4, 0, -5, 0, 1 },
        };

        /// <summary>G, 6 × 3: U = G·g·Gᵀ transforms a 3 × 3 filter g.</summary>
        internal static readonly double[,] G =
        {
            { 1.0 / 4, 0, 0 },
            { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
            { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
            { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
            { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
            { 0, 0, 1 },
        };

        /// <summary>Aᵀ, 4 × 6: Y = Aᵀ·M·A turns the 6 × 6 element-wise products M into the 4 × 4 outputs.</summary>
        internal static readonly double[,] AT =
        {
            { 1, 1, 1, 1, 1, 0 },
            { 0, 1, -1, 2, -2, 0 },
            { 0, 1, 1, 4, 4, 0 },
            { 0, 1, -1, 8, -8, 1 },
        };

        /// <summary>U = G·g·Gᵀ of one 3 × 3 filter (row-major, 9 values) in double: 36 values, row-major [6][6].</summary>
        public static double[] TransformFilter(ReadOnlySpan<float> filter)
        {
            // t = G·g (6 × 3), then U = t·Gᵀ (6 × 6).
            Span<double> t = stackalloc double[18];
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 3; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < 3; k++) sum += G[i, k] * filter[k * 3 + j];
                    t[i * 3 + j] = sum;
                }
            var u = new double[36];
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++)
                {
                    double sum = 0;
                    for (int k = 0; k < 3; k++) sum += t[i * 3 + k] * G[j, k];
                    u[i * 6 + j] = sum;
                }
            return u;
        }

        /// <summary>
        /// Conv weight [out, in, 3, 3] (already BatchNorm-folded) → U packed [36][ocVector][in][V] with V =
        /// <paramref name="vectorWidth"/>: for each of the 36 transformed positions a matrix [in][out rounded up to V],
        /// laid out like <see cref="WeightPacking.PackConvOutputVectors"/> with a single tap, so the kernel's small matrix
        /// products broadcast one transformed input value times V output channels' transformed weights. Padding lanes are zero.
        /// </summary>
        public static float[] PackConv3x3(ReadOnlySpan<float> weight, int outChannels, int inChannels, int vectorWidth)
        {
            if (weight.Length != outChannels * inChannels * 9)
                throw new ArgumentException($"weight has {weight.Length} values, expected {outChannels} x {inChannels} x 3 x 3");
            int vectors = (outChannels + vectorWidth - 1) / vectorWidth;
            int matrix = vectors * inChannels * vectorWidth; // floats per transformed position
            var packed = new float[36 * matrix];
            for (int o = 0; o < outChannels; o++)
            {
                int vector = o / vectorWidth, lane = o % vectorWidth;
                for (int i = 0; i < inChannels; i++)
                {
                    double[] u = TransformFilter(weight.Slice((o * inChannels + i) * 9, 9));
                    for (int xi = 0; xi < 36; xi++)
                        packed[xi * matrix + (vector * inChannels + i) * vectorWidth + lane] = (float)u[xi];
                }
            }
            return packed;
        }
    }
}
