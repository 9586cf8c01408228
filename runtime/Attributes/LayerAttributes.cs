using System;

// The attributes a user declares a network with (DESIGN §1–2). The source generator reads them by
// metadata name; they carry no behaviour at run time. Defaults equal PyTorch's.
namespace FusedNet
{
    /// <summary>Marks a partial class as a FusedNet network and gives the shape of one input sample (NCHW without N).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class FusedNetworkAttribute : Attribute
    {
        public FusedNetworkAttribute(int channels, int height, int width)
        {
            Channels = channels;
            Height = height;
            Width = width;
        }

        public int Channels { get; }
        public int Height { get; }
        public int Width { get; }
    }

    /// <summary>Common base of every layer attribute: the optional weight-name prefix override.</summary>
    public abstract class LayerAttribute : Attribute
    {
        /// <summary>Weight-name prefix (e.g. "features.3"); default is the layer's 0-based position, as nn.Sequential numbers it.</summary>
        public string? Name { get; set; }
    }

    /// <summary>nn.Conv2d with zero padding. Weight [out, in/groups, kh, kw], bias [out].</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class Conv2dAttribute : LayerAttribute
    {
        public Conv2dAttribute(int outChannels, int kernelSize)
        {
            OutChannels = outChannels;
            KernelSize = kernelSize;
        }

        public int OutChannels { get; }
        /// <summary>Kernel height (and width unless <see cref="KernelWidth"/> is set).</summary>
        public int KernelSize { get; }
        /// <summary>Kernel width when the kernel is not square; 0 means "same as KernelSize".</summary>
        public int KernelWidth { get; set; }
        public int Stride { get; set; } = 1;
        public int Padding { get; set; }
        public int Dilation { get; set; } = 1;
        public int Groups { get; set; } = 1;
        public bool Bias { get; set; } = true;
    }

    /// <summary>nn.BatchNorm2d in eval mode (running statistics).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm2dAttribute : LayerAttribute
    {
        public float Epsilon { get; set; } = 1e-5f;
    }

    /// <summary>nn.BatchNorm1d in eval mode, on a flat tensor (typically after Linear).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNorm1dAttribute : LayerAttribute
    {
        public float Epsilon { get; set; } = 1e-5f;
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
        public LeakyReLUAttribute() : this(0.01f) { }
        public LeakyReLUAttribute(float negativeSlope) { NegativeSlope = negativeSlope; }
        public float NegativeSlope { get; }
    }

    /// <summary>nn.ELU: x &gt; 0 ? x : alpha · (exp(x) − 1).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ELUAttribute : LayerAttribute
    {
        public ELUAttribute() : this(1f) { }
        public ELUAttribute(float alpha) { Alpha = alpha; }
        public float Alpha { get; }
    }

    /// <summary>nn.GELU: exact (erf) form, or the tanh approximation when <see cref="Approximate"/> is true.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GELUAttribute : LayerAttribute
    {
        public bool Approximate { get; set; }
    }

    /// <summary>nn.Dropout: the identity at inference.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class DropoutAttribute : LayerAttribute
    {
        public DropoutAttribute() : this(0.5f) { }
        public DropoutAttribute(float p) { P = p; }
        public float P { get; }
    }

    /// <summary>nn.MaxPool2d (implicit −∞ padding, floor mode).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPool2dAttribute : LayerAttribute
    {
        public MaxPool2dAttribute(int kernelSize) { KernelSize = kernelSize; }
        public int KernelSize { get; }
        /// <summary>0 means "same as KernelSize", as PyTorch's stride=None.</summary>
        public int Stride { get; set; }
        public int Padding { get; set; }
    }

    /// <summary>nn.AvgPool2d (floor mode, count_include_pad = true).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPool2dAttribute : LayerAttribute
    {
        public AvgPool2dAttribute(int kernelSize) { KernelSize = kernelSize; }
        public int KernelSize { get; }
        /// <summary>0 means "same as KernelSize", as PyTorch's stride=None.</summary>
        public int Stride { get; set; }
        public int Padding { get; set; }
    }

    /// <summary>nn.AdaptiveAvgPool2d(1) followed by a flatten: [C,H,W] → [C].</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAvgPool2dAttribute : LayerAttribute { }

    /// <summary>nn.Flatten: [C,H,W] → [C·H·W] in (c, h, w) order; a no-op on a flat tensor.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class FlattenAttribute : LayerAttribute { }

    /// <summary>nn.Linear. Weight [out, in], bias [out].</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LinearAttribute : LayerAttribute
    {
        public LinearAttribute(int outFeatures) { OutFeatures = outFeatures; }
        public int OutFeatures { get; }
        public bool Bias { get; set; } = true;
    }
}
