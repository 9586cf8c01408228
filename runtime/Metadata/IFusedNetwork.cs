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
        /// <summary>Shape of one input sample, as declared by <see cref="FusedNetworkAttribute"/>: [C, H, W].</summary>
        TensorShape InputShape { get; }
        /// <summary>Shape of one output sample: [C, H, W], or [features] after Flatten/GlobalAvgPool2d/Linear.</summary>
        TensorShape OutputShape { get; }
        /// <summary>Every declared layer in order (activations and dropout included), with shapes, parameter counts and multiply-accumulates.</summary>
        IReadOnlyList<LayerInfo> Layers { get; }
        /// <summary>Every tensor the constructor reads from its <see cref="IWeightSource"/>: PyTorch state_dict name, role and shape.</summary>
        IReadOnlyList<WeightInfo> ExpectedWeights { get; }

        /// <summary>Fused inference of one sample. Allocates nothing.</summary>
        /// <param name="input"><see cref="InputLength"/> floats, [C, H, W] in NCHW order.</param>
        /// <param name="output">Receives <see cref="OutputLength"/> floats.</param>
        /// <exception cref="ArgumentException">A length is not the expected one (the message gives both).</exception>
        void Forward(ReadOnlySpan<float> input, Span<float> output);
        /// <summary>Fused inference of <paramref name="batchSize"/> contiguous NCHW samples. Allocates nothing.</summary>
        /// <param name="input"><paramref name="batchSize"/> · <see cref="InputLength"/> floats.</param>
        /// <param name="output">Receives <paramref name="batchSize"/> · <see cref="OutputLength"/> floats.</param>
        /// <param name="batchSize">Number of samples (N), at least 1.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
        /// <exception cref="ArgumentException">A length is not <paramref name="batchSize"/> samples (the message gives expected and actual).</exception>
        void Forward(ReadOnlySpan<float> input, Span<float> output, int batchSize);
        /// <summary>Same math as <see cref="Forward(ReadOnlySpan{float}, Span{float})"/> with conv, BatchNorm and activation as separate passes, to check and measure fusion. Allocates nothing.</summary>
        /// <param name="input"><see cref="InputLength"/> floats, [C, H, W] in NCHW order.</param>
        /// <param name="output">Receives <see cref="OutputLength"/> floats.</param>
        /// <exception cref="ArgumentException">A length is not the expected one.</exception>
        void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output);
        /// <summary>Unfused inference of <paramref name="batchSize"/> contiguous NCHW samples. Allocates nothing.</summary>
        /// <param name="input"><paramref name="batchSize"/> · <see cref="InputLength"/> floats.</param>
        /// <param name="output">Receives <paramref name="batchSize"/> · <see cref="OutputLength"/> floats.</param>
        /// <param name="batchSize">Number of samples (N), at least 1.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
        /// <exception cref="ArgumentException">A length is not <paramref name="batchSize"/> samples (the message gives expected and actual).</exception>
        void ForwardUnfused(ReadOnlySpan<float> input, Span<float> output, int batchSize);

        /// <summary>Threads each inference uses, the calling thread included (<see cref="NetworkOptions.Threads"/>; 1 by default).</summary>
        int Threads { get; }

        /// <summary>
        /// Stops the worker threads of an instance made with <see cref="NetworkOptions.Threads"/> &gt; 1 (nothing to do with one);
        /// a later Forward throws ObjectDisposedException. Generated networks also implement IDisposable with it, unless the
        /// class has a Dispose of its own.
        /// </summary>
        void StopThreads();

        /// <summary>The widest vector width this network's kernels run with on this machine (chosen once, at run time).</summary>
        VectorWidth VectorWidth { get; }

        /// <summary>
        /// Bytes of scratch (activation) buffers this instance holds, both paths, as planned at compile time (floats × 4). Every
        /// clone made with CloneForThread allocates as much again. Bounded at compile time by the MSBuild property
        /// FusedNetMaxScratchBytes (2 GiB by default; diagnostic FN0017).
        /// </summary>
        long ScratchBytes { get; }

        /// <summary>
        /// Bytes of folded, packed parameters of both paths (floats × 4), shared by clones; counted for the widest kernels, so an
        /// upper bound on machines with narrower vectors. Bounded at compile time by the MSBuild property FusedNetMaxWeightBytes
        /// (2 GiB by default; diagnostic FN0017).
        /// </summary>
        long WeightBytes { get; }

        /// <summary>What each step of the fused (<paramref name="fused"/> true) or unfused path computes, in order.</summary>
        /// <param name="fused">The fused path (Forward) or the unfused one (ForwardUnfused).</param>
        IReadOnlyList<string> Steps(bool fused);

        /// <summary>
        /// Runs one sample through the fused or unfused path and writes the time each step took (Stopwatch ticks) into
        /// <paramref name="stepTicks"/>, one entry per step of <see cref="Steps"/>. Allocates nothing; for profiling.
        /// </summary>
        /// <param name="input"><see cref="InputLength"/> floats: one sample, NCHW.</param>
        /// <param name="output">Receives <see cref="OutputLength"/> floats.</param>
        /// <param name="stepTicks">One entry per step.</param>
        /// <param name="fused">Time the fused path (true) or the unfused one.</param>
        void ProfileForward(ReadOnlySpan<float> input, Span<float> output, Span<long> stepTicks, bool fused);
    }
}
