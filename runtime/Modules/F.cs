// PyTorch's torch.nn.functional for Forward descriptions (docs/modules.md): each call becomes a layer. Never runs.
namespace FusedNet.Modules
{
    /// <summary>
    /// Functions for <c>Forward</c> descriptions, as PyTorch's <c>torch.nn.functional</c> (<c>F.relu(x)</c> is
    /// <c>F.Relu(x)</c>). Each call becomes a layer of the network; none of them runs (they throw
    /// <see cref="System.NotSupportedException"/>): call the generated <c>Forward</c> of the network instead.
    /// </summary>
    public static class F
    {
        /// <summary><c>F.relu</c>: max(x, 0), element-wise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Relu(Tensor x) => throw Module.DescriptionOnly("F.Relu");

        /// <summary><c>F.relu6</c>: min(max(x, 0), 6), element-wise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Relu6(Tensor x) => throw Module.DescriptionOnly("F.Relu6");

        /// <summary><c>F.sigmoid</c>: 1 / (1 + exp(−x)), element-wise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Sigmoid(Tensor x) => throw Module.DescriptionOnly("F.Sigmoid");

        /// <summary><c>F.tanh</c>: tanh(x), element-wise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Tanh(Tensor x) => throw Module.DescriptionOnly("F.Tanh");

        /// <summary><c>F.silu</c>: x · sigmoid(x), element-wise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Silu(Tensor x) => throw Module.DescriptionOnly("F.Silu");

        /// <summary><c>F.hardswish</c>: x · relu6(x + 3) / 6, element-wise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Hardswish(Tensor x) => throw Module.DescriptionOnly("F.Hardswish");

        /// <summary><c>F.hardsigmoid</c>: relu6(x + 3) / 6, element-wise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Hardsigmoid(Tensor x) => throw Module.DescriptionOnly("F.Hardsigmoid");

        /// <summary><c>F.leaky_relu</c>: x for x ≥ 0, negativeSlope · x otherwise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <param name="negativeSlope">Slope for negative inputs. Default 0.01.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor LeakyRelu(Tensor x, float negativeSlope = 0.01f) => throw Module.DescriptionOnly("F.LeakyRelu");

        /// <summary><c>F.elu</c>: x for x &gt; 0, alpha · (exp(x) − 1) otherwise. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <param name="alpha">Scale of the negative part. Default 1.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Elu(Tensor x, float alpha = 1f) => throw Module.DescriptionOnly("F.Elu");

        /// <summary><c>F.gelu</c>: x · Φ(x), or its tanh approximation. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <param name="approximate">True for <c>approximate='tanh'</c>. Default false.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Gelu(Tensor x, bool approximate = false) => throw Module.DescriptionOnly("F.Gelu");

        /// <summary><c>F.adaptive_avg_pool2d</c>: the mean over H × W, [C, H, W] to [C, 1, 1]; only output size 1 is supported (FN0029 otherwise). Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <param name="outputSize">Output height and width; must be 1.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor AdaptiveAvgPool2d(Tensor x, int outputSize) => throw Module.DescriptionOnly("F.AdaptiveAvgPool2d");

        /// <summary><c>torch.flatten(x, 1)</c>: [C, H, W] to [C·H·W] in (c, h, w) order. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Flatten(Tensor x) => throw Module.DescriptionOnly("F.Flatten");

        /// <summary><c>F.dropout</c> at inference: the identity (kept as a layer, as <see cref="Modules.Dropout"/>). Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <param name="p">Drop probability at training time, in [0, 1). Default 0.5.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor Dropout(Tensor x, float p = 0.5f) => throw Module.DescriptionOnly("F.Dropout");

        /// <summary><c>F.max_pool2d</c>: the maximum over square windows. Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <param name="kernelSize">Window height and width.</param>
        /// <param name="stride">Step between windows; null (default) means <paramref name="kernelSize"/>.</param>
        /// <param name="padding">Padding on every side. Default 0.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor MaxPool2d(Tensor x, int kernelSize, int? stride = null, int padding = 0) => throw Module.DescriptionOnly("F.MaxPool2d");

        /// <summary><c>F.avg_pool2d</c>: the average over square windows (count_include_pad). Never runs.</summary>
        /// <param name="x">The input.</param>
        /// <param name="kernelSize">Window height and width.</param>
        /// <param name="stride">Step between windows; null (default) means <paramref name="kernelSize"/>.</param>
        /// <param name="padding">Padding on every side. Default 0.</param>
        /// <returns>Never returns.</returns>
        /// <exception cref="System.NotSupportedException">Always: a description.</exception>
        public static Tensor AvgPool2d(Tensor x, int kernelSize, int? stride = null, int padding = 0) => throw Module.DescriptionOnly("F.AvgPool2d");

    }
}
