using System;
using System.ComponentModel;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Reorders PyTorch-layout weights, once at construction, into the layouts the generated kernels read.
    /// Every packed layout pads vector lanes past the real channel count with zeros.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class WeightPacking
    {
        /// <summary>Rounds <paramref name="value"/> up to a multiple of <paramref name="multiple"/>.</summary>
        public static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

        /// <summary>
        /// Conv weight [out, in/groups, kh, kw] → [group][ocVector][ky][kx][ic][V] with V = vectorWidth.
        /// Within a group, output channel o lands in vector o / V, lane o % V; each group has
        /// ceil(outPerGroup / V) vectors. This is the layout of the "vector over output channels" kernel:
        /// one input value broadcast times V output channels' weights.
        /// </summary>
        public static float[] PackConvOutputVectors(ReadOnlySpan<float> weight, int outChannels, int inPerGroup,
            int kernelHeight, int kernelWidth, int groups, int vectorWidth)
        {
            int outPerGroup = outChannels / groups;
            int vectorsPerGroup = (outPerGroup + vectorWidth - 1) / vectorWidth;
            int taps = kernelHeight * kernelWidth;
            var packed = new float[groups * vectorsPerGroup * taps * inPerGroup * vectorWidth];
            for (int g = 0; g < groups; g++)
                for (int o = 0; o < outPerGroup; o++)
                {
                    int vector = o / vectorWidth, lane = o % vectorWidth;
                    int oc = g * outPerGroup + o;
                    for (int ic = 0; ic < inPerGroup; ic++)
                        for (int t = 0; t < taps; t++)
                        {
                            float w = weight[(oc * inPerGroup + ic) * taps + t];
                            int dst = (((g * vectorsPerGroup + vector) * taps + t) * inPerGroup + ic) * vectorWidth + lane;
                            packed[dst] = w;
                        }
                }
            return packed;
        }

        /// <summary>
        /// For a conv with Maxout(k) in its epilogue: reorders the conv's <paramref name="outChannels"/> = k·C' output channels
        /// (weights [out][<paramref name="perChannel"/>], bias [out]) so that, in vectors of <paramref name="vectorWidth"/>
        /// lanes, vector b·k + p holds piece p of outputs b·V … b·V + V − 1: new channel (j / V)·V·k + p·V + j % V is old channel
        /// j·k + p (Maxout's output j is the maximum of channels j·k … j·k + k − 1). Outputs beyond C' (up to a whole vector)
        /// get zero weights and bias; their maximum lands in the output's channel padding. Returns RoundUp(C', V)·k channels.
        /// </summary>
        public static (float[] Weight, float[] Bias) InterleaveMaxoutPieces(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
            int outChannels, int pieces, int perChannel, int vectorWidth)
        {
            if (pieces < 2 || outChannels % pieces != 0 || weight.Length != outChannels * perChannel || bias.Length != outChannels)
                throw new ArgumentException($"InterleaveMaxoutPieces: {outChannels} channels of {perChannel} weights in {pieces} pieces do not match the arrays given.");
            int outputs = outChannels / pieces;
            int interleaved = RoundUp(outputs, vectorWidth) * pieces;
            var newWeight = new float[interleaved * perChannel];
            var newBias = new float[interleaved];
            for (int j = 0; j < outputs; j++)
                for (int p = 0; p < pieces; p++)
                {
                    int source = j * pieces + p;
                    int target = j / vectorWidth * vectorWidth * pieces + p * vectorWidth + j % vectorWidth;
                    weight.Slice(source * perChannel, perChannel).CopyTo(newWeight.AsSpan(target * perChannel, perChannel));
                    newBias[target] = bias[source];
                }
            return (newWeight, newBias);
        }

        /// <summary>
        /// Depthwise conv weight [C, 1, kh, kw] → [ky][kx][C rounded up to V]: one vector of channels per tap.
        /// </summary>
        public static float[] PackDepthwise(ReadOnlySpan<float> weight, int channels, int kernelHeight,
            int kernelWidth, int vectorWidth)
        {
            int taps = kernelHeight * kernelWidth;
            int paddedChannels = RoundUp(channels, vectorWidth);
            var packed = new float[taps * paddedChannels];
            for (int c = 0; c < channels; c++)
                for (int t = 0; t < taps; t++)
                    packed[t * paddedChannels + c] = weight[c * taps + t];
            return packed;
        }

        /// <summary>
        /// Linear weight [out, in] → [outVector][in][V]: input feature i broadcast times V outputs' weights.
        /// </summary>
        public static float[] PackLinearOutputVectors(ReadOnlySpan<float> weight, int outFeatures, int inFeatures,
            int vectorWidth)
        {
            int vectors = (outFeatures + vectorWidth - 1) / vectorWidth;
            var packed = new float[vectors * inFeatures * vectorWidth];
            for (int o = 0; o < outFeatures; o++)
                for (int i = 0; i < inFeatures; i++)
                    packed[((o / vectorWidth) * inFeatures + i) * vectorWidth + o % vectorWidth] = weight[o * inFeatures + i];
            return packed;
        }

        /// <summary>Per-channel vector (bias, scale, shift) zero-padded to <paramref name="paddedLength"/>.</summary>
        public static float[] PadChannels(ReadOnlySpan<float> values, int paddedLength)
        {
            var padded = new float[Math.Max(paddedLength, values.Length)];
            values.CopyTo(padded);
            return padded;
        }

        /// <summary>
        /// Per-channel vector laid out per group: group g's channels start at g·ceil(outPerGroup/V)·V, so
        /// the grouped vector kernel reads a group's bias vectors contiguously.
        /// </summary>
        public static float[] PadChannelsPerGroup(ReadOnlySpan<float> values, int groups, int vectorWidth)
        {
            int perGroup = values.Length / groups;
            int paddedPerGroup = RoundUp(perGroup, vectorWidth);
            var padded = new float[groups * paddedPerGroup];
            for (int g = 0; g < groups; g++)
                values.Slice(g * perGroup, perGroup).CopyTo(padded.AsSpan(g * paddedPerGroup));
            return padded;
        }
    }
}
