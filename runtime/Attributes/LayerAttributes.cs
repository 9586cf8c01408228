using System;

// The attributes a user declares a network with (DESIGN §1–2). The source generator reads them by
// metadata name; they carry no behaviour at run time. Defaults equal PyTorch's.
namespace FusedNet
{
    /// <summary>
    /// Marks a <c>partial class</c> as a FusedNet network and gives the shape of one input sample,
    /// [channels, height, width] (PyTorch's NCHW without N). The layer attributes on the same declaration,
    /// in order, are the network, as the children of an <c>nn.Sequential</c>.
    /// </summary>
    /// <remarks>
    /// The source generator adds <c>Forward</c>, <c>ForwardUnfused</c>, a constructor taking an
    /// <see cref="IWeightSource"/> and static metadata to the class. Errors in the declaration are compile
    /// errors FN0001… on the offending attribute.
    /// </remarks>
    /// <example><code>
    /// [FusedNetwork(3, 32, 32)]
    /// [Conv2d(16, 3, Padding = 1)]
    /// [ReLU]
    /// [GlobalAvgPool2d]
    /// [Linear(10)]
    /// public partial class TinyNet;
    /// </code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class FusedNetworkAttribute : Attribute
    {
        /// <summary>Declares the network's input: one sample of <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> floats, NCHW order.</summary>
        /// <param name="channels">Input channels (C), e.g. 3 for RGB. Must be positive.</param>
        /// <param name="height">Input height in pixels (H). Must be positive.</param>
        /// <param name="width">Input width in pixels (W). Must be positive.</param>
        public FusedNetworkAttribute(int channels, int height, int width)
        {
            Channels = channels;
            Height = height;
            Width = width;
        }

        /// <summary>Input channels (C) of one sample.</summary>
        public int Channels { get; }
        /// <summary>Input height (H) of one sample, in pixels.</summary>
        public int Height { get; }
        /// <summary>Input width (W) of one sample, in pixels.</summary>
        public int Width { get; }

        /// <summary>
        /// Whether the planner may compute 3x3 stride-1 convolutions with Winograd F(4x4, 3x3) where it is faster
        /// (default true). Winograd takes 2.25x fewer multiplies but rounds differently from a direct convolution (errors
        /// of order 1e-6 relative, within the documented tolerance); set <c>Winograd = false</c> for bit-for-bit
        /// direct-convolution numerics.
        /// </summary>
        public bool Winograd { get; set; } = true;
    }

    /// <summary>Common base of every layer attribute: the optional weight-name prefix override.</summary>
    public abstract class LayerAttribute : Attribute
    {
        /// <summary>
        /// Weight-name prefix of this layer's tensors, e.g. <c>"features.3"</c> for <c>features.3.weight</c>.
        /// Default (null): the layer's 0-based position among the layer attributes, as <c>nn.Sequential</c>
        /// numbers its children (activations and dropout count too). Must not be empty or shared by two layers (FN0014).
        /// </summary>
        public string? Name { get; set; }
    }

    /// <summary>
    /// 2-D convolution, <c>nn.Conv2d</c> with zero padding (cross-correlation, as PyTorch). Tensors:
    /// <c>P.weight</c> [out, in/groups, kh, kw] and, with <see cref="Bias"/>, <c>P.bias</c> [out].
    /// </summary>
    /// <remarks>
    /// Output size = floor((in + 2·padding − dilation·(k − 1) − 1) / stride) + 1. A following
    /// <see cref="BatchNorm2dAttribute"/> is folded into the weights, and a following activation runs in the
    /// convolution's epilogue.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv2dAttribute : LayerAttribute
    {
        /// <summary>A convolution with <paramref name="outChannels"/> filters of <paramref name="kernelSize"/> × <paramref name="kernelSize"/>.</summary>
        /// <param name="outChannels">Output channels (PyTorch <c>out_channels</c>). Must be positive.</param>
        /// <param name="kernelSize">Kernel height, and width unless <see cref="KernelWidth"/> is set (PyTorch <c>kernel_size</c>). Must be positive.</param>
        public Conv2dAttribute(int outChannels, int kernelSize)
        {
            OutChannels = outChannels;
            KernelSize = kernelSize;
        }

        /// <summary>Output channels (PyTorch <c>out_channels</c>).</summary>
        public int OutChannels { get; }
        /// <summary>Kernel height (and width unless <see cref="KernelWidth"/> is set); PyTorch <c>kernel_size</c>.</summary>
        public int KernelSize { get; }
        /// <summary>Kernel width when the kernel is not square, as PyTorch's <c>kernel_size=(kh, kw)</c>; default 0 means "same as <see cref="KernelSize"/>".</summary>
        public int KernelWidth { get; set; }
        /// <summary>Step between output pixels, in input pixels, both directions (PyTorch <c>stride</c>). Default 1.</summary>
        public int Stride { get; set; } = 1;
        /// <summary>Zero padding added on every side, in pixels (PyTorch <c>padding</c>, <c>padding_mode='zeros'</c>). Default 0.</summary>
        public int Padding { get; set; }
        /// <summary>Spacing between kernel taps (PyTorch <c>dilation</c>). Default 1.</summary>
        public int Dilation { get; set; } = 1;
        /// <summary>
        /// Channel groups (PyTorch <c>groups</c>); must divide the input and output channels (FN0007). Default 1;
        /// groups = input channels = output channels is a depthwise convolution.
        /// </summary>
        public int Groups { get; set; } = 1;
        /// <summary>Whether the layer has a <c>P.bias</c> tensor [out] (PyTorch <c>bias</c>). Default true; set false before a BatchNorm, as PyTorch models usually do.</summary>
        public bool Bias { get; set; } = true;
    }

    /// <summary>
    /// <c>nn.BatchNorm2d</c> in eval mode: y = γ·(x − running_mean)/√(running_var + ε) + β per channel, on a
    /// [C, H, W] tensor. Tensors: <c>P.weight</c> (γ), <c>P.bias</c> (β), <c>P.running_mean</c>,
    /// <c>P.running_var</c>, each [C]; <c>P.num_batches_tracked</c> is ignored. With <see cref="TrackRunningStats"/> false
    /// (PyTorch <c>track_running_stats=False</c>) there are no running tensors and the layer normalises with the statistics of
    /// the batch passed to Forward, over (N, H, W), as PyTorch does even in eval mode.
    /// </summary>
    /// <remarks>
    /// After a <see cref="Conv2dAttribute"/> it is folded into the convolution's weights at construction; elsewhere it runs as a
    /// per-channel scale-and-shift pass. Without running statistics it cannot be folded: a statistics pass, then the
    /// scale-and-shift with the following activation fused.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm2dAttribute : LayerAttribute
    {
        /// <summary>ε added to the variance (PyTorch <c>eps</c>). Default 1e-5f; must be positive.</summary>
        public float Epsilon { get; set; } = 1e-5f;

        /// <summary>
        /// PyTorch <c>track_running_stats</c>. Default true: eval mode uses <c>P.running_mean</c>/<c>P.running_var</c>. False:
        /// no running tensors; per-channel mean and biased variance over (N, H, W) of the batch given to Forward (batch 1:
        /// that sample alone).
        /// </summary>
        public bool TrackRunningStats { get; set; } = true;
    }

    /// <summary>
    /// <c>nn.BatchNorm1d</c> in eval mode on a flat [features] tensor, typically after a <see cref="LinearAttribute"/>
    /// (into which it is folded). Tensors as <see cref="BatchNorm2dAttribute"/>, each [features]. With
    /// <see cref="TrackRunningStats"/> false it normalises each feature with the statistics of the batch given to Forward,
    /// which needs a batch of two or more samples (one value per feature otherwise: PyTorch raises an error, so does Forward).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm1dAttribute : LayerAttribute
    {
        /// <summary>ε added to the variance (PyTorch <c>eps</c>). Default 1e-5f; must be positive.</summary>
        public float Epsilon { get; set; } = 1e-5f;

        /// <summary>PyTorch <c>track_running_stats</c>: see <see cref="BatchNorm2dAttribute.TrackRunningStats"/>. Default true.</summary>
        public bool TrackRunningStats { get; set; } = true;
    }

    /// <summary>nn.ReLU: max(x, 0).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReLUAttribute : LayerAttribute { }

    /// <summary>nn.ReLU6: min(max(x, 0), 6).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReLU6Attribute : LayerAttribute { }

    /// <summary>nn.Sigmoid: 1 / (1 + exp(-x)).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SigmoidAttribute : LayerAttribute { }

    /// <summary>nn.Tanh.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class TanhAttribute : LayerAttribute { }

    /// <summary>nn.SiLU: x · sigmoid(x).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SiLUAttribute : LayerAttribute { }

    /// <summary>nn.Hardswish: x · relu6(x + 3) / 6.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class HardswishAttribute : LayerAttribute { }

    /// <summary>nn.Hardsigmoid: relu6(x + 3) / 6.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class HardsigmoidAttribute : LayerAttribute { }

    /// <summary>nn.LeakyReLU: x ≥ 0 ? x : negativeSlope · x.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LeakyReLUAttribute : LayerAttribute
    {
        /// <summary>LeakyReLU with PyTorch's default negative slope, 0.01.</summary>
        public LeakyReLUAttribute() : this(0.01f) { }
        /// <summary>LeakyReLU with the given slope for negative inputs.</summary>
        /// <param name="negativeSlope">Factor applied to negative inputs (PyTorch <c>negative_slope</c>); must be finite.</param>
        public LeakyReLUAttribute(float negativeSlope) { NegativeSlope = negativeSlope; }
        /// <summary>Factor applied to negative inputs (PyTorch <c>negative_slope</c>). Default 0.01.</summary>
        public float NegativeSlope { get; }
    }

    /// <summary>nn.ELU: x &gt; 0 ? x : alpha · (exp(x) − 1).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ELUAttribute : LayerAttribute
    {
        /// <summary>ELU with PyTorch's default α = 1.</summary>
        public ELUAttribute() : this(1f) { }
        /// <summary>ELU with the given α.</summary>
        /// <param name="alpha">Scale of the negative branch (PyTorch <c>alpha</c>); must be finite.</param>
        public ELUAttribute(float alpha) { Alpha = alpha; }
        /// <summary>Scale of the negative branch (PyTorch <c>alpha</c>). Default 1.</summary>
        public float Alpha { get; }
    }

    /// <summary>nn.GELU: exact (erf) form, or the tanh approximation when <see cref="Approximate"/> is true.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GELUAttribute : LayerAttribute
    {
        /// <summary>
        /// False (default): the exact form x·Φ(x) with erf, PyTorch <c>approximate='none'</c>. True: the tanh
        /// approximation, PyTorch <c>approximate='tanh'</c>.
        /// </summary>
        public bool Approximate { get; set; }
    }

    /// <summary>
    /// <c>nn.Dropout</c>: the identity at inference (PyTorch's inverted dropout scales at training time). It
    /// has no tensors and no cost, but counts in the layer numbering, as in <c>nn.Sequential</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DropoutAttribute : LayerAttribute
    {
        /// <summary>Dropout with PyTorch's default p = 0.5.</summary>
        public DropoutAttribute() : this(0.5f) { }
        /// <summary>Dropout with drop probability <paramref name="p"/> (recorded only; the layer is the identity at inference).</summary>
        /// <param name="p">Drop probability during training, in [0, 1) (FN0013 otherwise).</param>
        public DropoutAttribute(float p) { P = p; }
        /// <summary>Drop probability during training (PyTorch <c>p</c>). Default 0.5.</summary>
        public float P { get; }
    }

    /// <summary>
    /// <c>nn.MaxPool2d</c> (implicit −∞ padding, floor mode, dilation 1) on a [C, H, W] tensor; no tensors.
    /// Output size = floor((in + 2·padding − kernelSize) / stride) + 1.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool2dAttribute : LayerAttribute
    {
        /// <summary>A square pooling window of <paramref name="kernelSize"/> × <paramref name="kernelSize"/>, with stride = kernel size unless <see cref="Stride"/> is set.</summary>
        /// <param name="kernelSize">Window height and width in pixels (PyTorch <c>kernel_size</c>). Must be positive.</param>
        public MaxPool2dAttribute(int kernelSize) { KernelSize = kernelSize; }
        /// <summary>Window height and width in pixels (PyTorch <c>kernel_size</c>).</summary>
        public int KernelSize { get; }
        /// <summary>Step between windows in pixels (PyTorch <c>stride</c>). Default 0 means "same as <see cref="KernelSize"/>", as PyTorch's <c>stride=None</c>.</summary>
        public int Stride { get; set; }
        /// <summary>Padding on every side in pixels (PyTorch <c>padding</c>). Default 0; at most <see cref="KernelSize"/>/2 (FN0013).</summary>
        public int Padding { get; set; }
    }

    /// <summary>
    /// <c>nn.AvgPool2d</c> (floor mode, <c>count_include_pad=True</c>: padded zeros count in the divisor, as
    /// PyTorch's default) on a [C, H, W] tensor; no tensors. Output size = floor((in + 2·padding − kernelSize) / stride) + 1.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool2dAttribute : LayerAttribute
    {
        /// <summary>A square pooling window of <paramref name="kernelSize"/> × <paramref name="kernelSize"/>, with stride = kernel size unless <see cref="Stride"/> is set.</summary>
        /// <param name="kernelSize">Window height and width in pixels (PyTorch <c>kernel_size</c>). Must be positive.</param>
        public AvgPool2dAttribute(int kernelSize) { KernelSize = kernelSize; }
        /// <summary>Window height and width in pixels (PyTorch <c>kernel_size</c>).</summary>
        public int KernelSize { get; }
        /// <summary>Step between windows in pixels (PyTorch <c>stride</c>). Default 0 means "same as <see cref="KernelSize"/>", as PyTorch's <c>stride=None</c>.</summary>
        public int Stride { get; set; }
        /// <summary>Padding on every side in pixels (PyTorch <c>padding</c>). Default 0; at most <see cref="KernelSize"/>/2 (FN0013).</summary>
        public int Padding { get; set; }
    }

    /// <summary>nn.AdaptiveAvgPool2d(1) followed by a flatten: [C,H,W] → [C].</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAvgPool2dAttribute : LayerAttribute { }

    /// <summary>nn.Flatten: [C,H,W] → [C·H·W] in (c, h, w) order; a no-op on a flat tensor.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class FlattenAttribute : LayerAttribute { }

    /// <summary>
    /// Fully connected layer, <c>nn.Linear</c>, on a flat tensor (put <see cref="FlattenAttribute"/> or
    /// <see cref="GlobalAvgPool2dAttribute"/> before it). Tensors: <c>P.weight</c> [out, in] and, with
    /// <see cref="Bias"/>, <c>P.bias</c> [out]. The input features come from the previous layer's output.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LinearAttribute : LayerAttribute
    {
        /// <summary>A fully connected layer with <paramref name="outFeatures"/> outputs.</summary>
        /// <param name="outFeatures">Output features (PyTorch <c>out_features</c>). Must be positive.</param>
        public LinearAttribute(int outFeatures) { OutFeatures = outFeatures; }
        /// <summary>Output features (PyTorch <c>out_features</c>).</summary>
        public int OutFeatures { get; }
        /// <summary>Whether the layer has a <c>P.bias</c> tensor [out] (PyTorch <c>bias</c>). Default true.</summary>
        public bool Bias { get; set; } = true;
    }

    /// <summary>
    /// Maxout (Goodfellow et al., 2013): the maximum over <see cref="Pieces"/> consecutive channels. Output channel
    /// j = max of input channels j·pieces … j·pieces + pieces − 1, so [C, H, W] → [C / pieces, H, W] and a flat [F] →
    /// [F / pieces]; C (or F) must be divisible by pieces (FN0044). No tensors. PyTorch has no <c>nn.Maxout</c>; this is
    /// the usual implementation <c>x.view(N, C // pieces, pieces, H, W).max(dim=2).values</c> (flat:
    /// <c>x.view(N, F // pieces, pieces).max(dim=2).values</c>).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxoutAttribute : LayerAttribute
    {
        /// <summary>A maxout over groups of <paramref name="pieces"/> consecutive channels.</summary>
        /// <param name="pieces">Channels per group (the maxout's k). Must be positive (FN0005) and divide the input channels (FN0044).</param>
        public MaxoutAttribute(int pieces) { Pieces = pieces; }
        /// <summary>Channels per group: output channel j is the maximum of input channels j·Pieces … j·Pieces + Pieces − 1.</summary>
        public int Pieces { get; }
    }

    /// <summary>
    /// <c>nn.LayerNorm</c> over the whole sample: per sample, the mean and biased variance of all its values ([C, H, W], or
    /// [F] after a Linear/Flatten), y = (x − mean)/√(var + ε)·γ + β. Tensors (with <see cref="ElementwiseAffine"/>):
    /// <c>P.weight</c> (γ) and <c>P.bias</c> (β), each of the input's shape, [C, H, W] or [F].
    /// </summary>
    /// <remarks>
    /// <c>[LayerNorm]</c> takes the shape from the previous layer; <c>[LayerNorm(64, 8, 8)]</c> states PyTorch's
    /// <c>normalized_shape</c>, which must then be the input's shape (FN0034: normalising only the last dimensions of a
    /// sample is not supported). A following activation runs in the normalisation's final pass.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LayerNormAttribute : LayerAttribute
    {
        /// <summary>Layer normalisation over the whole input sample, optionally stating its shape.</summary>
        /// <param name="normalizedShape">PyTorch <c>normalized_shape</c>: empty (the default) or the input's shape, e.g. 64, 8, 8.</param>
        public LayerNormAttribute(params int[] normalizedShape) { NormalizedShape = normalizedShape ?? Array.Empty<int>(); }
        /// <summary>The declared <c>normalized_shape</c>; empty means "the input's shape".</summary>
        public System.Collections.Generic.IReadOnlyList<int> NormalizedShape { get; }
        /// <summary>ε added to the variance (PyTorch <c>eps</c>). Default 1e-5f; must be positive.</summary>
        public float Epsilon { get; set; } = 1e-5f;
        /// <summary>Whether the layer has γ and β (PyTorch <c>elementwise_affine</c>). Default true.</summary>
        public bool ElementwiseAffine { get; set; } = true;
    }

    /// <summary>
    /// <c>nn.GroupNorm(numGroups, C)</c>: per sample, the channels are split into <c>numGroups</c> groups of C/numGroups
    /// channels, each normalised with the mean and biased variance of its channels × H × W values, then scaled and
    /// shifted per channel. Tensors (with <see cref="Affine"/>): <c>P.weight</c> (γ) and <c>P.bias</c> (β), each [C].
    /// </summary>
    /// <remarks>numGroups must divide the channels (FN0033). Works on [C, H, W] and on flat [C] tensors, as PyTorch's (N, C, *).</remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GroupNormAttribute : LayerAttribute
    {
        /// <summary>Group normalisation with <paramref name="numGroups"/> groups.</summary>
        /// <param name="numGroups">Number of channel groups (PyTorch <c>num_groups</c>); 1 normalises over the whole sample, C is per channel.</param>
        public GroupNormAttribute(int numGroups) { NumGroups = numGroups; }
        /// <summary>Number of channel groups (PyTorch <c>num_groups</c>).</summary>
        public int NumGroups { get; }
        /// <summary>ε added to the variance (PyTorch <c>eps</c>). Default 1e-5f; must be positive.</summary>
        public float Epsilon { get; set; } = 1e-5f;
        /// <summary>Whether the layer has per-channel γ and β (PyTorch <c>affine</c>). Default true.</summary>
        public bool Affine { get; set; } = true;
    }

    /// <summary>
    /// <c>nn.InstanceNorm2d</c> in eval mode on [C, H, W]: per sample and channel, the mean and biased variance over
    /// H × W. With <see cref="TrackRunningStats"/>, eval mode uses <c>P.running_mean</c> and <c>P.running_var</c> [C]
    /// instead (a per-channel scale-and-shift, like eval BatchNorm). With <see cref="Affine"/>: <c>P.weight</c> (γ) and
    /// <c>P.bias</c> (β), each [C]. <c>P.num_batches_tracked</c> is ignored.
    /// </summary>
    /// <remarks>PyTorch's defaults: no affine, no running statistics. Instance statistics need more than one pixel (FN0035).</remarks>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class InstanceNorm2dAttribute : LayerAttribute
    {
        /// <summary>ε added to the variance (PyTorch <c>eps</c>). Default 1e-5f; must be positive.</summary>
        public float Epsilon { get; set; } = 1e-5f;
        /// <summary>Whether the layer has per-channel γ and β (PyTorch <c>affine</c>). Default false, as PyTorch.</summary>
        public bool Affine { get; set; }
        /// <summary>Whether eval mode uses the running statistics (PyTorch <c>track_running_stats</c>). Default false, as PyTorch.</summary>
        public bool TrackRunningStats { get; set; }
    }

    /// <summary>
    /// Input normalisation, as <c>torchvision.transforms.Normalize(mean, std)</c>: per channel y = (x − mean[c]) / std[c] on a
    /// [C, H, W] tensor. Two forms:
    /// <list type="bullet">
    /// <item>constants, e.g. <c>[Normalize(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })]</c> (ImageNet): one
    /// mean and one std per channel (FN0045), every std positive and finite (FN0046), every mean finite (FN0047); no tensors;</item>
    /// <item><c>[Normalize]</c>: the statistics are tensors of the weight source, <c>P.mean</c> and <c>P.std</c>, each [C] (a PyTorch
    /// model that normalises its own input usually holds them as buffers of those names); checked at construction (every std
    /// positive, every value finite).</item>
    /// </list>
    /// The fused path folds it into the convolution that reads it (exactly, padding included); the unfused path runs it as a pass.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class NormalizeAttribute : LayerAttribute
    {
        /// <summary>A per-channel normalisation y = (x − mean[c]) / std[c] with the constants given.</summary>
        /// <param name="mean">One mean per input channel.</param>
        /// <param name="std">One standard deviation per input channel; each positive and finite.</param>
        public NormalizeAttribute(float[] mean, float[] std)
        {
            Mean = mean;
            Std = std;
        }

        /// <summary>
        /// A per-channel normalisation y = (x − mean[c]) / std[c] whose mean and std are the tensors <c>P.mean</c> and
        /// <c>P.std</c> [C] of the weight source.
        /// </summary>
        public NormalizeAttribute()
        {
        }

        /// <summary>The per-channel means subtracted; null when they come from the weight source (<c>P.mean</c>).</summary>
        public float[]? Mean { get; }

        /// <summary>The per-channel standard deviations divided by; null when they come from the weight source (<c>P.std</c>).</summary>
        public float[]? Std { get; }
    }
}
