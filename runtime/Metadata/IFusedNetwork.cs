using System;
using System.Collections.Generic;

namespace FusedNet
{
    /// <summary>
    /// Implemented by every generated network, so tools and tests can drive any network through one type.
    /// The generated class exposes the same members statically (InputLength is a const there); this
    /// interface implements them explicitly.
    /// </summary>
    public interface IFusedNetwork
    {
        /// <summary>Floats in one input sample (C·H·W).</summary>
        int InputLength { get; }
        /// <summary>Floats in one output sample.</summary>
        int OutputLength { get; }
        TensorShape InputShape { get; }
        TensorShape OutputShape { get; }
        IReadOnlyList<LayerInfo> Layers { get; }
        IReadOnlyList<WeightInfo> ExpectedWeights { get; }

        /// <summary>Fused inference of one sample. Allocates nothing.</summary>
        void Forward(ReadOnlySpan<float> input, Span<float> output);
        /// <summary>Fused inference of <paramref name="batchSize"/> contiguous NCHW samples. Allocates nothing.</summary>
        void Forward(ReadOnlySpan<float> input, Span<float> output, int batchSize);
        /// <summary>Same math with conv, BatchNorm and activation as separate passes. Allocates nothing.</summary>
        void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output);
        /// <summary>Unfused inference of a batch. Allocates nothing.</summary>
        void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output, int batchSize);

        /// <summary>The widest vector width this network's kernels run with on this machine (chosen once, at run time).</summary>
        VectorWidth VectorWidth { get; }
    }
}
