using System;
using System.ComponentModel;

namespace FusedNet.Internal
{
    /// <summary>
    /// Infrastructure for generated code; not part of the supported API.
    /// Parameter layouts of the per-sample normalisations (LayerNorm, GroupNorm, InstanceNorm2d).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class NormalizationPacking
    {
        /// <summary>
        /// A LayerNorm's γ or β of PyTorch shape [C, H, W] in the activation buffers' channels-last layout,
        /// [H][W][<paramref name="channelStride"/>] with zeros in the channel padding, so the kernel loads it beside the pixel.
        /// </summary>
        public static AlignedBuffer ChannelsLast(ReadOnlySpan<float> values, int channels, int height, int width, int channelStride)
        {
            if (values.Length != channels * height * width) throw new ArgumentException("values is not [channels, height, width]", nameof(values));
            if (channelStride < channels) throw new ArgumentOutOfRangeException(nameof(channelStride));
            var buffer = new AlignedBuffer(height * width * channelStride);
            Span<float> target = buffer.Span;
            int plane = height * width;
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < plane; p++)
                    target[p * channelStride + c] = values[c * plane + p];
            return buffer;
        }

        /// <summary>γ = 1 for an InstanceNorm2d without affine that eval mode computes from its running statistics.</summary>
        public static float[] Ones(int count)
        {
            var ones = new float[count];
            Array.Fill(ones, 1f);
            return ones;
        }
    }
}
