// Built-in modules: PyTorch's torch.nn classes with their constructor signatures (parameter names in camelCase).
// Descriptions only (see Module.cs): the source generator reads the constructor arguments; Forward never runs.
namespace FusedNet.Modules
{
    /// <summary><c>nn.Conv2d</c> (zero padding): weights <c>P.weight</c> [out, in/groups, k, k] and, with <c>bias</c>, <c>P.bias</c> [out], P being the field's weight-name prefix.</summary>
    /// <remarks>A following <see cref="BatchNorm2d"/> is folded into the weights and a following activation runs in the convolution's epilogue, as with the layer attributes.</remarks>
    public sealed class Conv2d : Module
    {
        /// <summary>A convolution with square kernels, as <c>nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)</c>.</summary>
        /// <param name="inChannels">Input channels; must equal the channels of the tensor the module is applied to.</param>
        /// <param name="outChannels">Output channels (filters).</param>
        /// <param name="kernelSize">Kernel height and width.</param>
        /// <param name="stride">Step between output pixels. Default 1.</param>
        /// <param name="padding">Zero padding on every side. Default 0.</param>
        /// <param name="dilation">Spacing between kernel taps. Default 1.</param>
        /// <param name="groups">Channel groups; must divide both channel counts. Default 1.</param>
        /// <param name="bias">Whether there is a <c>P.bias</c> tensor. Default true.</param>
        public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Conv2d));
    }

    /// <summary>
    /// <c>nn.BatchNorm2d</c> in eval mode on [C, H, W]: <c>P.weight</c>, <c>P.bias</c>, <c>P.running_mean</c>, <c>P.running_var</c>,
    /// each [C] (<c>P.num_batches_tracked</c> is ignored); without running statistics (<c>trackRunningStats: false</c>) only
    /// <c>P.weight</c> and <c>P.bias</c>, and the statistics of the batch given to Forward.
    /// </summary>
    public sealed class BatchNorm2d : Module
    {
        /// <summary>Batch normalisation of <paramref name="numFeatures"/> channels, as <c>nn.BatchNorm2d(num_features, eps, momentum, track_running_stats=...)</c>.</summary>
        /// <param name="numFeatures">Channels (features) normalised; must equal the input's.</param>
        /// <param name="eps">ε added to the variance. Default 1e-5.</param>
        /// <param name="momentum">Running-statistics momentum: training only, ignored at inference (see BatchNormRecalibration). Default 0.1.</param>
        /// <param name="trackRunningStats">
        /// Default true: eval mode uses <c>P.running_mean</c>/<c>P.running_var</c>. False (PyTorch <c>track_running_stats=False</c>):
        /// no running tensors; the statistics of the batch given to Forward (over N, H, W) normalise it.
        /// </param>
        public BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool trackRunningStats = true)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(BatchNorm2d));
    }

    /// <summary><c>nn.BatchNorm1d</c> in eval mode on a flat [features] tensor (typically after <see cref="Linear"/>, into which it is folded); tensors as <see cref="BatchNorm2d"/>.</summary>
    public sealed class BatchNorm1d : Module
    {
        /// <summary>Batch normalisation of <paramref name="numFeatures"/> channels, as <c>nn.BatchNorm1d(num_features, eps, momentum, track_running_stats=...)</c>.</summary>
        /// <param name="numFeatures">Channels (features) normalised; must equal the input's.</param>
        /// <param name="eps">ε added to the variance. Default 1e-5.</param>
        /// <param name="momentum">Running-statistics momentum: training only, ignored at inference (see BatchNormRecalibration). Default 0.1.</param>
        /// <param name="trackRunningStats">
        /// Default true: eval mode uses <c>P.running_mean</c>/<c>P.running_var</c>. False (PyTorch <c>track_running_stats=False</c>):
        /// no running tensors; the statistics of the batch given to Forward (over N, H, W) normalise it, which needs two or more samples.
        /// </param>
        public BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool trackRunningStats = true)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(BatchNorm1d));
    }

    /// <summary><c>nn.Linear</c> on a flat tensor: <c>P.weight</c> [out, in] and, with <c>bias</c>, <c>P.bias</c> [out].</summary>
    public sealed class Linear : Module
    {
        /// <summary>A fully connected layer, as <c>nn.Linear(in_features, out_features, bias)</c>.</summary>
        /// <param name="inFeatures">Input features; must equal the input's length.</param>
        /// <param name="outFeatures">Output features.</param>
        /// <param name="bias">Whether there is a <c>P.bias</c> tensor. Default true.</param>
        public Linear(int inFeatures, int outFeatures, bool bias = true)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Linear));
    }

    /// <summary><c>nn.ReLU</c>: max(x, 0).</summary>
    public sealed class ReLU : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public ReLU()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(ReLU));
    }

    /// <summary><c>nn.ReLU6</c>: min(max(x, 0), 6).</summary>
    public sealed class ReLU6 : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public ReLU6()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(ReLU6));
    }

    /// <summary><c>nn.Sigmoid</c>: 1 / (1 + exp(−x)).</summary>
    public sealed class Sigmoid : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public Sigmoid()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Sigmoid));
    }

    /// <summary><c>nn.Tanh</c>.</summary>
    public sealed class Tanh : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public Tanh()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Tanh));
    }

    /// <summary><c>nn.SiLU</c>: x · sigmoid(x).</summary>
    public sealed class SiLU : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public SiLU()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(SiLU));
    }

    /// <summary><c>nn.Hardswish</c>: x · relu6(x + 3) / 6.</summary>
    public sealed class Hardswish : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public Hardswish()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Hardswish));
    }

    /// <summary><c>nn.Hardsigmoid</c>: relu6(x + 3) / 6.</summary>
    public sealed class Hardsigmoid : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public Hardsigmoid()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Hardsigmoid));
    }

    /// <summary><c>nn.Flatten</c>: [C, H, W] to [C·H·W] in (c, h, w) order; a no-op on a flat tensor.</summary>
    public sealed class Flatten : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public Flatten()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Flatten));
    }

    /// <summary><c>nn.Identity</c>: passes its input through (no layer, no weights).</summary>
    public sealed class Identity : Module
    {
        /// <summary>The module (no arguments, no weights).</summary>
        public Identity()
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Identity));
    }

    /// <summary><c>nn.LeakyReLU</c>: x for x ≥ 0, negativeSlope · x otherwise.</summary>
    public sealed class LeakyReLU : Module
    {
        /// <summary>A leaky ReLU, as <c>nn.LeakyReLU(negative_slope)</c>.</summary>
        /// <param name="negativeSlope">Slope for negative inputs. Default 0.01.</param>
        public LeakyReLU(float negativeSlope = 0.01f)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(LeakyReLU));
    }

    /// <summary><c>nn.ELU</c>: x for x &gt; 0, alpha · (exp(x) − 1) otherwise.</summary>
    public sealed class ELU : Module
    {
        /// <summary>An ELU, as <c>nn.ELU(alpha)</c>.</summary>
        /// <param name="alpha">Scale of the negative part. Default 1.</param>
        public ELU(float alpha = 1f)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(ELU));
    }

    /// <summary><c>nn.GELU</c>: x · Φ(x) (erf form), or its tanh approximation.</summary>
    public sealed class GELU : Module
    {
        /// <summary>A GELU, as <c>nn.GELU(approximate='none' or 'tanh')</c>.</summary>
        /// <param name="approximate">True for the tanh approximation (PyTorch <c>approximate='tanh'</c>). Default false.</param>
        public GELU(bool approximate = false)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(GELU));
    }

    /// <summary><c>nn.Dropout</c>: the identity at inference (no weights).</summary>
    public sealed class Dropout : Module
    {
        /// <summary>A dropout, as <c>nn.Dropout(p)</c>.</summary>
        /// <param name="p">Drop probability at training time, in [0, 1). Default 0.5.</param>
        public Dropout(float p = 0.5f)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Dropout));
    }

    /// <summary><c>nn.MaxPool2d</c>: Maximum over square windows.</summary>
    public sealed class MaxPool2d : Module
    {
        /// <summary>A pool, as <c>nn.MaxPool2d(kernel_size, stride, padding)</c>.</summary>
        /// <param name="kernelSize">Window height and width.</param>
        /// <param name="stride">Step between windows; null (default) means <paramref name="kernelSize"/>, as PyTorch's <c>stride=None</c>.</param>
        /// <param name="padding">Padding on every side; at most half the window. Default 0.</param>
        public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(MaxPool2d));
    }

    /// <summary><c>nn.AvgPool2d</c>: Average (count_include_pad, as PyTorch's default) over square windows.</summary>
    public sealed class AvgPool2d : Module
    {
        /// <summary>A pool, as <c>nn.AvgPool2d(kernel_size, stride, padding)</c>.</summary>
        /// <param name="kernelSize">Window height and width.</param>
        /// <param name="stride">Step between windows; null (default) means <paramref name="kernelSize"/>, as PyTorch's <c>stride=None</c>.</param>
        /// <param name="padding">Padding on every side; at most half the window. Default 0.</param>
        public AvgPool2d(int kernelSize, int? stride = null, int padding = 0)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(AvgPool2d));
    }

    /// <summary><c>nn.AdaptiveAvgPool2d</c>: the mean over H × W, [C, H, W] to [C, 1, 1]. Only output size 1 is supported (FN0029 otherwise).</summary>
    public sealed class AdaptiveAvgPool2d : Module
    {
        /// <summary>An adaptive average pool, as <c>nn.AdaptiveAvgPool2d(output_size)</c>.</summary>
        /// <param name="outputSize">Output height and width; must be 1.</param>
        public AdaptiveAvgPool2d(int outputSize)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(AdaptiveAvgPool2d));
    }

    /// <summary>
    /// <c>nn.LayerNorm</c> over the whole sample: y = (x − mean)/√(var + ε)·γ + β with the mean and biased variance of
    /// all the sample's values. With <c>elementwiseAffine</c>: <c>P.weight</c> (γ) and <c>P.bias</c> (β) of the normalised shape.
    /// </summary>
    /// <remarks>The normalised shape must be the whole input sample, [C, H, W] or [F] (FN0034 otherwise).</remarks>
    public sealed class LayerNorm : Module
    {
        /// <summary>Layer normalisation of a flat [F] tensor, as <c>nn.LayerNorm(F, eps, elementwise_affine)</c>.</summary>
        /// <param name="normalizedShape">F, the features of the flat input.</param>
        /// <param name="eps">ε added to the variance. Default 1e-5.</param>
        /// <param name="elementwiseAffine">Whether there are γ and β. Default true.</param>
        public LayerNorm(int normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
        {
        }

        /// <summary>Layer normalisation over <paramref name="normalizedShape"/>, as <c>nn.LayerNorm([C, H, W], eps, elementwise_affine)</c>.</summary>
        /// <param name="normalizedShape">The input sample's shape, e.g. <c>new[] { 64, 8, 8 }</c>.</param>
        /// <param name="eps">ε added to the variance. Default 1e-5.</param>
        /// <param name="elementwiseAffine">Whether there are γ and β. Default true.</param>
        public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(LayerNorm));
    }

    /// <summary>
    /// <c>nn.GroupNorm</c>: per sample, statistics over each group of numChannels/numGroups channels × H × W. With
    /// <c>affine</c>: <c>P.weight</c> (γ) and <c>P.bias</c> (β), each [C].
    /// </summary>
    public sealed class GroupNorm : Module
    {
        /// <summary>Group normalisation, as <c>nn.GroupNorm(num_groups, num_channels, eps, affine)</c>.</summary>
        /// <param name="numGroups">Channel groups; must divide <paramref name="numChannels"/> (FN0033).</param>
        /// <param name="numChannels">Channels; must equal the input's (FN0031).</param>
        /// <param name="eps">ε added to the variance. Default 1e-5.</param>
        /// <param name="affine">Whether there are per-channel γ and β. Default true.</param>
        public GroupNorm(int numGroups, int numChannels, float eps = 1e-5f, bool affine = true)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(GroupNorm));
    }

    /// <summary>
    /// <c>nn.InstanceNorm2d</c> in eval mode: per sample and channel over H × W, or, with <c>trackRunningStats</c>, with
    /// <c>P.running_mean</c>/<c>P.running_var</c> [C] (<c>P.num_batches_tracked</c> is ignored). With <c>affine</c>:
    /// <c>P.weight</c> (γ) and <c>P.bias</c> (β), each [C].
    /// </summary>
    public sealed class InstanceNorm2d : Module
    {
        /// <summary>Instance normalisation, as <c>nn.InstanceNorm2d(num_features, eps, momentum, affine, track_running_stats)</c>.</summary>
        /// <param name="numFeatures">Channels; must equal the input's (FN0031).</param>
        /// <param name="eps">ε added to the variance. Default 1e-5.</param>
        /// <param name="momentum">Running-statistics momentum: training only, ignored at inference. Default 0.1.</param>
        /// <param name="affine">Whether there are per-channel γ and β. Default false, as PyTorch.</param>
        /// <param name="trackRunningStats">Whether eval mode uses the running statistics. Default false, as PyTorch.</param>
        public InstanceNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = false, bool trackRunningStats = false)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(InstanceNorm2d));
    }

    /// <summary>
    /// Maxout over <c>pieces</c> consecutive channels: output channel j = max of input channels j·pieces … j·pieces + pieces − 1,
    /// [C, H, W] → [C / pieces, H, W] (flat [F] → [F / pieces]); no weights. PyTorch has no <c>nn.Maxout</c>: this is the usual
    /// <c>x.view(N, C // pieces, pieces, H, W).max(dim=2).values</c>. pieces must divide the channels (FN0044).
    /// </summary>
    public sealed class Maxout : Module
    {
        /// <summary>A maxout over groups of <paramref name="pieces"/> consecutive channels.</summary>
        /// <param name="pieces">Channels per group; must be positive and divide the input channels.</param>
        public Maxout(int pieces)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Maxout));
    }
    /// <summary>
    /// Input normalisation, as <c>torchvision.transforms.Normalize(mean, std)</c>: per channel y = (x − mean[c]) / std[c] on
    /// [C, H, W]. With constants, no weights: write the arrays in place
    /// (<c>new Normalize(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })</c> or collection expressions)
    /// so the generator can read them; one value per channel (FN0045), std positive and finite (FN0046), mean finite (FN0047).
    /// <c>new Normalize(numChannels)</c> reads them from the weight source instead: <c>P.mean</c> and <c>P.std</c>, each [C],
    /// as a PyTorch module holding them as registered buffers names them (checked at construction: std positive, all finite).
    /// </summary>
    public sealed class Normalize : Module
    {
        /// <summary>A per-channel normalisation y = (x − mean[c]) / std[c] with the constants given.</summary>
        /// <param name="mean">One mean per input channel.</param>
        /// <param name="std">One standard deviation per input channel; each positive and finite.</param>
        public Normalize(float[] mean, float[] std)
        {
        }

        /// <summary>A per-channel normalisation whose mean and std are the tensors <c>P.mean</c> and <c>P.std</c> [C] of the weights.</summary>
        /// <param name="numChannels">Channels; must equal the input's (FN0031).</param>
        public Normalize(int numChannels)
        {
        }

        /// <summary>In a <c>Forward</c> description: this module applied to <paramref name="x"/>. Never runs.</summary>
        /// <param name="x">The module's input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: module classes are descriptions.</exception>
        public Tensor Forward(Tensor x) => throw DescriptionOnly(nameof(Normalize));
    }
}
