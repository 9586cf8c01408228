using System.Collections.Generic;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Networks
{
    /// <summary>Hand-picked networks at the edges a vectorised, fused implementation is most likely to get wrong.</summary>
    public static class EdgeCaseNetworks
    {
        public static IReadOnlyList<(string Id, RefNetwork Network)> All { get; } =
        [
            // The input copy (NCHW planes → NHWC pixels) for images of fewer than 8 channels: dense rows of 1–4 channels take the
            // AVX2 interleave in blocks of 8 pixels plus a scalar tail (widths 16, 17, 19, 25), 5 channels the scalar loop, and an
            // input read as whole vectors (padded pixels of 16 floats: a pool first) the padded-pixel loop.
            ("input-rgb-19-wide", new RefNetwork(3, 4, 19, [new RefConv2d(8, 3) { Padding = 1 }, new RefReLU(), new RefGlobalAvgPool2d(), new RefLinear(2)])),
            ("input-2-channels-17-wide", new RefNetwork(2, 3, 17, [new RefConv2d(6, 3) { Padding = 1 }, new RefGlobalAvgPool2d(), new RefLinear(2)])),
            ("input-4-channels-16-wide", new RefNetwork(4, 3, 16, [new RefConv2d(8, 1), new RefGlobalAvgPool2d(), new RefLinear(2)])),
            ("input-grey-25-wide", new RefNetwork(1, 3, 25, [new RefConv2d(4, 3), new RefFlatten(), new RefLinear(2)])),
            ("input-5-channels-11-wide", new RefNetwork(5, 2, 11, [new RefConv2d(3, 3) { Padding = 1 }, new RefFlatten(), new RefLinear(2)])),
            ("input-rgb-pooled-first", new RefNetwork(3, 6, 21, [new RefMaxPool2d(2), new RefConv2d(4, 1), new RefFlatten(), new RefLinear(2)])),
            // Global average pooling: 4 partial sums per channel below 32 channels (width 37: a column left over), 2 below 64
            // (width 9), one at 200 channels (more than 8 vectors: several sweeps over the pixels), and straight on the input.
            ("gap-on-input-37-wide", new RefNetwork(3, 5, 37, [new RefGlobalAvgPool2d()])),
            ("gap-40-channels-9-wide", new RefNetwork(5, 5, 9, [new RefConv2d(40, 3) { Padding = 1 }, new RefGlobalAvgPool2d(), new RefLinear(3)])),
            ("gap-200-channels", new RefNetwork(4, 3, 9, [new RefConv2d(200, 1), new RefReLU(), new RefGlobalAvgPool2d(), new RefLinear(2)])),

            // Tiny inputs.
            ("input-1x1", new RefNetwork(3, 1, 1, [new RefConv2d(8, 1), new RefBatchNorm2d(), new RefReLU(), new RefGlobalAvgPool2d(), new RefLinear(4)])),
            ("input-1x1-conv3-pad1", new RefNetwork(2, 1, 1, [new RefConv2d(5, 3) { Padding = 1 }, new RefSigmoid(), new RefFlatten(), new RefLinear(3)])),
            ("input-1x1-single-channel", new RefNetwork(1, 1, 1, [new RefConv2d(1, 1), new RefFlatten(), new RefLinear(1)])),

            // Channel counts around the vector width, one after another.
            ("channels-1-7-8-9-15-16-17", new RefNetwork(1, 6, 5,
            [
                new RefConv2d(7, 3) { Padding = 1 }, new RefReLU(),
                new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefReLU6(),
                new RefConv2d(9, 3) { Padding = 1 }, new RefSiLU(),
                new RefConv2d(15, 3) { Padding = 1, Bias = false }, new RefBatchNorm2d(), new RefTanh(),
                new RefConv2d(16, 3) { Padding = 1 }, new RefHardswish(),
                new RefConv2d(17, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefGELU(),
                new RefGlobalAvgPool2d(), new RefLinear(17),
            ])),
            ("channels-17-16-8-1", new RefNetwork(17, 4, 4,
            [
                new RefConv2d(16, 1), new RefELU(), new RefConv2d(8, 1), new RefConv2d(1, 3) { Padding = 1 }, new RefFlatten(), new RefLinear(8),
            ])),
            ("channels-wide-64", new RefNetwork(24, 5, 5,
            [
                new RefConv2d(64, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefReLU(), new RefConv2d(40, 1), new RefGlobalAvgPool2d(), new RefLinear(33),
            ])),

            // Weights larger than WeightsResidentBytes (512 KiB) on small images: the kernels put output-channel blocks
            // outside the rows. 200 -> 300 channels 3x3 (2.2 MB), odd sizes, stride 2 with padding, a tail vector
            // (300 = 18 x 16 + 12), then 2 groups of 256 -> 136 (1.25 MB per group), then a 1x1 conv with a residual-free BN.
            ("big-weights-small-image", new RefNetwork(200, 5, 3,
            [
                new RefConv2d(300, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefReLU(),
                new RefConv2d(272, 3) { Padding = 1, Stride = 2, Groups = 2 }, new RefHardswish(),
                new RefConv2d(24, 1), new RefBatchNorm2d(), new RefFlatten(), new RefLinear(5),
            ])),

            // Kernel larger than the input, rescued by padding; non-square kernels.
            ("kernel-larger-than-input", new RefNetwork(3, 2, 3,
            [
                new RefConv2d(4, 5) { Padding = 2 }, new RefReLU(),
                new RefConv2d(4, 3) { KernelWidth = 5, Padding = 2 }, new RefFlatten(), new RefLinear(2),
            ])),
            ("kernel-1x5-and-5x1", new RefNetwork(4, 7, 9,
            [
                new RefConv2d(6, 1) { KernelWidth = 5, Padding = 2 }, new RefBatchNorm2d(), new RefLeakyReLU(0.2f),
                new RefConv2d(6, 5) { KernelWidth = 1, Padding = 1, Stride = 2 }, new RefFlatten(), new RefLinear(3),
            ])),

            // Stride larger than the kernel (rows/columns skipped entirely).
            ("stride-larger-than-kernel", new RefNetwork(5, 11, 10,
            [
                new RefConv2d(6, 1) { Stride = 3 }, new RefReLU(),
                new RefConv2d(6, 2) { Stride = 3, Padding = 1 },
                new RefMaxPool2d(1) { Stride = 2 }, new RefFlatten(), new RefLinear(4),
            ])),
            ("pools-stride-larger-than-kernel", new RefNetwork(3, 13, 11,
            [
                new RefMaxPool2d(2) { Stride = 3 }, new RefAvgPool2d(2) { Stride = 3, Padding = 1 }, new RefFlatten(), new RefLinear(5),
            ])),

            // Grouped convolutions: per-group counts a multiple of 8 and 16, and counts that are not.
            ("groups-8-per-group", new RefNetwork(16, 6, 6, [new RefConv2d(16, 3) { Groups = 2, Padding = 1 }, new RefBatchNorm2d(), new RefReLU(), new RefGlobalAvgPool2d(), new RefLinear(5)])),
            ("groups-16-per-group", new RefNetwork(32, 5, 4, [new RefConv2d(32, 3) { Groups = 2, Padding = 1 }, new RefReLU(), new RefConv2d(48, 1) { Groups = 2 }, new RefGlobalAvgPool2d(), new RefLinear(3)])),
            ("groups-8-in-16-out", new RefNetwork(24, 5, 5, [new RefConv2d(48, 3) { Groups = 3 }, new RefBatchNorm2d(), new RefHardsigmoid(), new RefFlatten(), new RefLinear(4)])),
            ("groups-odd-per-group", new RefNetwork(9, 7, 6,
            [
                new RefConv2d(15, 3) { Groups = 3, Padding = 1 }, new RefReLU(),
                new RefConv2d(10, 3) { Groups = 5, Stride = 2 }, new RefBatchNorm2d(), new RefSiLU(),
                new RefFlatten(), new RefLinear(6),
            ])),
            ("groups-12-per-group-not-vector", new RefNetwork(24, 4, 4, [new RefConv2d(36, 3) { Groups = 2, Padding = 1, Bias = false }, new RefBatchNorm2d(), new RefReLU(), new RefGlobalAvgPool2d(), new RefLinear(2)])),

            // Depthwise: multiplier 1 and 2, channels not a multiple of 8, with stride and dilation.
            ("depthwise-8-multiplier-2", new RefNetwork(8, 9, 9, [new RefConv2d(16, 3) { Groups = 8, Padding = 1 }, new RefBatchNorm2d(), new RefReLU6(), new RefGlobalAvgPool2d(), new RefLinear(3)])),
            ("depthwise-17-stride-dilation", new RefNetwork(17, 11, 10, [new RefConv2d(17, 3) { Groups = 17, Stride = 2, Padding = 2, Dilation = 2 }, new RefBatchNorm2d(), new RefHardswish(), new RefFlatten(), new RefLinear(4)])),
            ("depthwise-1-channel", new RefNetwork(1, 5, 5, [new RefConv2d(1, 3) { Groups = 1, Padding = 1 }, new RefConv2d(2, 3) { Groups = 1 }, new RefFlatten(), new RefLinear(2)])),

            // BatchNorm that cannot fold: standalone at the start, after a pool, after an activation, twice in a row.
            ("batchnorm-standalone-everywhere", new RefNetwork(3, 8, 8,
            [
                new RefBatchNorm2d(), new RefConv2d(6, 3), new RefReLU(), new RefBatchNorm2d(),
                new RefMaxPool2d(2), new RefBatchNorm2d { Epsilon = 1e-3f },
                new RefConv2d(6, 1), new RefBatchNorm2d(), new RefBatchNorm2d(),
                new RefGlobalAvgPool2d(), new RefBatchNorm1d(), new RefLinear(4),
            ])),
            ("linear-batchnorm1d-chain", new RefNetwork(2, 3, 3,
            [
                new RefFlatten(), new RefLinear(17) { Bias = false }, new RefBatchNorm1d(), new RefReLU(),
                new RefLinear(8), new RefBatchNorm1d { Epsilon = 0.1f }, new RefDropout(0.3f),
                new RefLinear(1), new RefSigmoid(),
            ])),
            ("flat-activations", new RefNetwork(4, 2, 2,
            [
                new RefFlatten(), new RefLinear(9), new RefTanh(), new RefLinear(9), new RefELU(0.5f), new RefLinear(9), new RefGELU { Approximate = true },
                new RefLinear(9), new RefHardswish(), new RefLinear(9), new RefLeakyReLU(), new RefFlatten(),
            ])),

            // Pools with padding, "same" pools, kernel 1, mixed with convs.
            ("pools-padded", new RefNetwork(5, 9, 7,
            [
                new RefMaxPool2d(3) { Stride = 1, Padding = 1 }, new RefConv2d(7, 3), new RefAvgPool2d(3) { Stride = 2, Padding = 1 },
                new RefMaxPool2d(2) { Padding = 1 }, new RefAvgPool2d(1), new RefFlatten(), new RefLinear(3),
            ])),

            // Outputs that are not flat, and a network without weights.
            ("spatial-output", new RefNetwork(3, 7, 6, [new RefConv2d(9, 3) { Padding = 1, Bias = false }, new RefBatchNorm2d(), new RefReLU()])),
            ("no-weights", new RefNetwork(5, 4, 3, [new RefReLU6(), new RefMaxPool2d(2), new RefFlatten()])),

            // Flatten on a flat tensor keeps the numbering (GAP, Flatten, Linear as in PyTorch).
            ("gap-flatten-flatten-linear", new RefNetwork(6, 3, 3, [new RefConv2d(6, 3) { Padding = 1 }, new RefGlobalAvgPool2d(), new RefFlatten(), new RefFlatten(), new RefLinear(2)])),

            // Every layer renamed, torchvision style.
            ("names-everywhere", new RefNetwork(3, 6, 6,
            [
                new RefConv2d(8, 3) { Padding = 1, Name = "features.0" }, new RefBatchNorm2d { Name = "features.1" }, new RefReLU { Name = "features.2" },
                new RefMaxPool2d(2) { Name = "features.3" }, new RefDropout { Name = "classifier.0" }, new RefFlatten { Name = "flat" },
                new RefLinear(5) { Name = "classifier.1" }, new RefBatchNorm1d { Name = "classifier.bn" },
            ])),

            // Maxout (output channel j = max of channels j·k … j·k + k − 1): after a padded conv with 18 = 2 x 9 channels (the
            // output, 9, is not a vector multiple), pieces 3 after BN + activation on odd H/W, pieces 1 (the identity), then
            // on a flat tensor after Linear (with a LeakyReLU fused into the pass), and a network ending in a Maxout.
            ("maxout", new RefNetwork(3, 7, 5,
            [
                new RefConv2d(18, 3) { Padding = 1 }, new RefMaxout(2), new RefConv2d(24, 3) { Stride = 2, Padding = 1 }, new RefBatchNorm2d(), new RefReLU(),
                new RefMaxout(3), new RefMaxout(1), new RefConv2d(10, 1), new RefFlatten(), new RefLinear(34), new RefMaxout(17), new RefLeakyReLU(0.2f),
            ])),
            ("maxout-spatial-output", new RefNetwork(17, 1, 3, [new RefMaxout(17)])),
            ("maxout-wide", new RefNetwork(5, 6, 6, [new RefConv2d(64, 3) { Padding = 2 }, new RefMaxout(4), new RefHardswish(), new RefConv2d(20, 3), new RefMaxout(5)])),

            // Normalize (constants) and BatchNorm2d before a convolution: the fused path folds them into the conv, with the
            // conv's padding border filled with the raw values that normalise to 0 (exact on border pixels). Padding 1 and 2,
            // stride 2, odd H/W, 3/5/7/10 channels (not vector multiples), a depthwise conv after a BatchNorm, an unpadded conv
            // (no fill needed), a standalone Normalize (followed by an activation: a pass) and a Normalize ending a network.
            ("normalize", new RefNetwork(3, 9, 7,
            [
                new RefNormalize([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]), new RefConv2d(10, 3) { Padding = 1 }, new RefReLU(),
                new RefBatchNorm2d(), new RefConv2d(7, 3) { Padding = 2, Stride = 2 }, new RefReLU6(),
                new RefBatchNorm2d(), new RefConv2d(7, 3) { Padding = 1, Groups = 7 },
                new RefNormalize([0.1f, -0.2f, 0.3f, 0f, 1f, -1f, 0.5f], [1f, 2f, 0.5f, 3f, 0.25f, 1.5f, 4f]), new RefConv2d(5, 1),
                new RefFlatten(), new RefLinear(4),
            ])),
            ("normalize-standalone", new RefNetwork(5, 6, 5,
            [
                new RefNormalize([1f, 2f, 3f, 4f, 5f], [0.5f, 1f, 2f, 4f, 8f]), new RefSigmoid(), new RefConv2d(6, 3) { Padding = 1 },
                new RefNormalize([0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f], [1f, 1f, 1f, 2f, 2f, 2f]),
            ])),
            // Normalize reading P.mean and P.std from the weights ([Normalize]): folded into a padded conv (the border filled from
            // the mean tensor), into a 17 → 20 3x3 conv after an activation (Winograd where the planner picks it), kept as a pass
            // before an activation, and ending the network.
            ("normalize-tensors", new RefNetwork(3, 9, 7,
            [
                new RefNormalizeTensors(), new RefConv2d(17, 3) { Padding = 1 }, new RefReLU(),
                new RefNormalizeTensors(), new RefConv2d(20, 3) { Padding = 1 }, new RefReLU6(),
                new RefNormalizeTensors(), new RefSigmoid(), new RefConv2d(5, 3) { Padding = 2, Stride = 2 },
                new RefNormalizeTensors { Name = "final" },
            ])),

            // Non-square inputs, tall and wide.
            ("input-tall", new RefNetwork(2, 19, 3, [new RefConv2d(4, 3) { Padding = 1, Stride = 2 }, new RefReLU(), new RefConv2d(4, 3) { KernelWidth = 2 }, new RefFlatten(), new RefLinear(2)])),
            ("input-wide", new RefNetwork(2, 2, 19, [new RefConv2d(4, 2) { KernelWidth = 3, Dilation = 2, Padding = 1 }, new RefReLU(), new RefAvgPool2d(2), new RefFlatten(), new RefLinear(2)])),

            // Per-sample normalisations: odd shapes, channel counts around the vector widths, groups of 1 and of C, flat
            // tensors, no affine, declared shapes, non-default epsilon, activations fused after them.
            ("norms-layernorm", new RefNetwork(7, 5, 3,
            [
                new RefConv2d(9, 3) { Padding = 1 }, new RefLayerNorm(), new RefReLU(),
                new RefConv2d(5, 1), new RefLayerNorm { NormalizedShape = [5, 5, 3], ElementwiseAffine = false },
                new RefGlobalAvgPool2d(), new RefLinear(6), new RefLayerNorm { Epsilon = 1e-3f }, new RefTanh(),
                new RefLinear(17), new RefLayerNorm { NormalizedShape = [17], ElementwiseAffine = false },
            ])),
            ("norms-groupnorm", new RefNetwork(6, 7, 9,
            [
                new RefConv2d(12, 3) { Padding = 1 }, new RefGroupNorm(4), new RefSiLU(), new RefGroupNorm(1) { Affine = false },
                new RefConv2d(17, 1), new RefGroupNorm(17), new RefGELU(), new RefGroupNorm(1) { Epsilon = 0.1f },
                new RefGlobalAvgPool2d(), new RefLinear(6), new RefGroupNorm(2), new RefLinear(2),
            ])),
            ("norms-instancenorm", new RefNetwork(5, 6, 5,
            [
                new RefInstanceNorm2d(), new RefConv2d(9, 3) { Padding = 1, Bias = false }, new RefInstanceNorm2d { Affine = true }, new RefReLU6(),
                new RefConv2d(8, 3) { Padding = 1 }, new RefInstanceNorm2d { Affine = true, TrackRunningStats = true }, new RefLeakyReLU(),
                new RefConv2d(7, 1), new RefInstanceNorm2d { TrackRunningStats = true },
                new RefMaxPool2d(2), new RefInstanceNorm2d { Affine = true, TrackRunningStats = true }, new RefHardswish(),
                new RefInstanceNorm2d { Epsilon = 1e-3f }, new RefFlatten(), new RefLinear(3),
            ])),
            ("norms-1x1-spatial", new RefNetwork(3, 1, 1,
            [
                new RefConv2d(20, 1), new RefGroupNorm(5), new RefReLU(), new RefLayerNorm(), new RefConv2d(16, 1), new RefGroupNorm(16) { Affine = false },
                new RefFlatten(), new RefLinear(2),
            ])),
            ("norms-wide-output", new RefNetwork(33, 9, 11, [new RefGroupNorm(3), new RefConv2d(40, 3) { Padding = 1 }, new RefGroupNorm(8), new RefSigmoid(), new RefLayerNorm()])),
        ];
    }
}
