using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FusedNet.Tests.Networks;
using FusedNet.Tests.Reference;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace FusedNet.Tests.OnnxOracle
{
    /// <summary>
    /// Every sweep network (<see cref="SweepCatalog"/>: the edge cases and the seeded random networks, already
    /// compiled once for <see cref="NetworkSweepTests"/>) through ONNX Runtime on the same weights and inputs:
    /// Forward, ForwardUnfused (one sample at a time and as a batch) and the double reference must all agree with
    /// ORT. The reference and FusedNet were written by us; ORT was not, so an error we made in both shows here.
    /// </summary>
    [Collection(SweepCollection.Name)]
    public class OnnxSweepTests
    {
        /// <summary>
        /// DESIGN §4's 1e-4·max(1, |x|), with ORT's output as x. ORT and FusedNet both compute in float32 with
        /// different summation orders and their own exp/tanh/erf; each is within about 1e-6 relative of the double
        /// reference on these networks (the largest error over the sweep is printed per case, see docs/testing.md),
        /// so 1e-4 leaves a wide margin for rounding while a wrong weight, pad, stride, divisor or formula is off
        /// by 1e-2 or more.
        /// </summary>
        private const double Tolerance = 1e-4;

        /// <summary>The same three samples <see cref="NetworkSweepTests"/> checks against the reference.</summary>
        private const int Samples = 3;

        private readonly SweepCompilation _compilation;
        private readonly ITestOutputHelper _output;

        public OnnxSweepTests(SweepCompilation compilation, ITestOutputHelper output)
        {
            _compilation = compilation;
            _output = output;
        }

        public static TheoryData<string> CaseIds => NetworkSweepTests.CaseIds;

        [Theory]
        [MemberData(nameof(CaseIds))]
        public void ForwardUnfusedAndReferenceAgreeWithOnnxRuntime(string id)
        {
            SweepCase sweepCase = SweepCatalog.Get(id);
            RefNetwork reference = sweepCase.Network;
            IFusedNetwork network = NetworkSweepTests.Create(_compilation, sweepCase, out InMemoryWeights weights);
            float[] input = SweepWeights.Input(reference, Samples, sweepCase.Seed);

            float[][] ort = OnnxRuntimeOracle.Run(reference, weights, input, Samples, sweepCase.ClassName);
            double[][] exact = reference.RunBatch(weights, input, Samples);

            var failures = new List<string>();
            double referenceVsOrt = 0, forwardVsOrt = 0, unfusedVsOrt = 0;
            int inLength = reference.InputLength, outLength = reference.OutputLength;
            float[] batchFused = new float[Samples * outLength], batchUnfused = new float[Samples * outLength];
            Array.Fill(batchFused, float.NaN);
            Array.Fill(batchUnfused, float.NaN);
            network.Forward(input, batchFused, Samples);
            network.ForwardUnfused(input, batchUnfused, Samples);

            for (int n = 0; n < Samples; n++)
            {
                double[] expected = OnnxRuntimeOracle.ToDouble(ort[n]);
                ReadOnlySpan<float> sample = input.AsSpan(n * inLength, inLength);
                float[] single = new float[outLength];

                // ORT judged by the exact reference (and so the reference by ORT): the two independent oracles agree.
                referenceVsOrt = Math.Max(referenceVsOrt, OnnxRuntimeOracle.Compare(failures, $"ORT vs double reference, sample {n}", exact[n], ort[n], Tolerance));

                Array.Fill(single, float.NaN);
                network.Forward(sample, single);
                forwardVsOrt = Math.Max(forwardVsOrt, OnnxRuntimeOracle.Compare(failures, $"Forward (one sample) vs ORT, sample {n}", expected, single, Tolerance));
                forwardVsOrt = Math.Max(forwardVsOrt, OnnxRuntimeOracle.Compare(failures, $"Forward (batch of {Samples}) vs ORT, sample {n}",
                    expected, batchFused.AsSpan(n * outLength, outLength), Tolerance));

                Array.Fill(single, float.NaN);
                network.ForwardUnfused(sample, single);
                unfusedVsOrt = Math.Max(unfusedVsOrt, OnnxRuntimeOracle.Compare(failures, $"ForwardUnfused (one sample) vs ORT, sample {n}", expected, single, Tolerance));
                unfusedVsOrt = Math.Max(unfusedVsOrt, OnnxRuntimeOracle.Compare(failures, $"ForwardUnfused (batch of {Samples}) vs ORT, sample {n}",
                    expected, batchUnfused.AsSpan(n * outLength, outLength), Tolerance));
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{id}: max |a − b|/max(1, |b|): reference vs ORT {referenceVsOrt:E2}, Forward vs ORT {forwardVsOrt:E2}, ForwardUnfused vs ORT {unfusedVsOrt:E2}"));
            if (failures.Count > 0)
                throw new XunitException($"{id}: {failures.Count} comparison(s) with ONNX Runtime exceed {Tolerance:0e0}·max(1, |ORT|).\n" +
                    $"{string.Join("\n", failures)}\n\n{NetworkSweepTests.Describe(sweepCase)}");
        }

        /// <summary>
        /// What the ORT sweep must exercise. Checked on the catalog's edge cases alone, so it holds at any
        /// FUSEDNET_SWEEP_SCALE (CI may lower the random count), and on the whole catalog run here.
        /// </summary>
        public static IReadOnlyList<string> RequiredFeatures { get; } =
        [
            "Conv2d", "Conv2d bias", "Conv2d no bias", "Conv2d stride > 1", "Conv2d padding", "Conv2d dilation",
            "Conv2d non-square kernel", "Conv2d depthwise", "Conv2d grouped (not depthwise)",
            "BatchNorm2d folded into Conv2d", "BatchNorm2d standalone", "BatchNorm1d folded into Linear", "BatchNorm1d standalone",
            "BatchNorm epsilon not 1e-5",
            "Linear", "Linear no bias",
            "MaxPool2d", "MaxPool2d stride not kernel", "MaxPool2d padding",
            "AvgPool2d", "AvgPool2d stride not kernel", "AvgPool2d padding",
            "GlobalAvgPool2d", "Flatten of [C, H, W]", "Flatten of a flat tensor", "Dropout",
            "ReLU", "ReLU6", "LeakyReLU default slope", "LeakyReLU other slope", "ELU default alpha", "ELU other alpha",
            "Sigmoid", "Tanh", "SiLU", "GELU erf", "GELU tanh", "Hardswish", "Hardsigmoid",
            "activation after Conv2d", "activation after Linear", "activation standalone",
            "Maxout after Conv2d", "Maxout after Linear", "Maxout of [C, H, W]", "Maxout of a flat tensor",
            "LayerNorm of [C, H, W]", "LayerNorm of a flat tensor", "LayerNorm no affine", "LayerNorm declared shape",
            "GroupNorm", "GroupNorm 1 group", "GroupNorm one channel per group", "GroupNorm of a flat tensor", "GroupNorm no affine",
            "InstanceNorm2d", "InstanceNorm2d affine", "InstanceNorm2d running stats folded into Conv2d", "InstanceNorm2d running stats standalone",
            "normalisation epsilon not 1e-5", "activation after a normalisation",
            "Normalize before a padded Conv2d", "Normalize before an unpadded Conv2d", "Normalize standalone",
            "Normalize from tensors before a padded Conv2d", "Normalize from tensors standalone",
            "BatchNorm2d before a padded Conv2d", "BatchNorm2d before a grouped Conv2d",
        ];

        /// <summary>The features of one network, named as in <see cref="RequiredFeatures"/>.</summary>
        public static IEnumerable<string> Features(RefNetwork network)
        {
            RefLayer? previous = null;
            foreach (RefLayerShape step in network.Shapes)
            {
                RefLayer layer = step.Layer;
                switch (layer)
                {
                    case RefConv2d c:
                        yield return "Conv2d";
                        yield return c.Bias ? "Conv2d bias" : "Conv2d no bias";
                        if (c.Stride > 1) yield return "Conv2d stride > 1";
                        if (c.Padding > 0) yield return "Conv2d padding";
                        if (c.Dilation > 1) yield return "Conv2d dilation";
                        if (c.EffectiveKernelWidth != c.KernelHeight) yield return "Conv2d non-square kernel";
                        if (c.Groups > 1) yield return c.Groups == step.Input.Channels ? "Conv2d depthwise" : "Conv2d grouped (not depthwise)";
                        break;
                    case RefBatchNorm bn:
                        string kind = bn is RefBatchNorm1d ? "BatchNorm1d" : "BatchNorm2d";
                        bool folded = previous is RefConv2d or RefLinear;
                        yield return folded ? $"{kind} folded into {(bn is RefBatchNorm1d ? "Linear" : "Conv2d")}" : $"{kind} standalone";
                        if (bn.Epsilon != 1e-5f) yield return "BatchNorm epsilon not 1e-5";
                        // BatchNorm → Conv2d (the fused path folds it into the conv's input side, border fill included).
                        if (!folded && bn is RefBatchNorm2d && NextOf(network, step.Index) is RefConv2d after)
                        {
                            if (after.Padding > 0) yield return "BatchNorm2d before a padded Conv2d";
                            if (after.Groups > 1) yield return "BatchNorm2d before a grouped Conv2d";
                        }
                        break;
                    case RefNormalize:
                        yield return NextOf(network, step.Index) switch
                        {
                            RefConv2d { Padding: > 0 } => "Normalize before a padded Conv2d",
                            RefConv2d => "Normalize before an unpadded Conv2d",
                            _ => "Normalize standalone",
                        };
                        break;
                    case RefNormalizeTensors:
                        if (NextOf(network, step.Index) is RefConv2d { Padding: > 0 }) yield return "Normalize from tensors before a padded Conv2d";
                        else if (NextOf(network, step.Index) is not RefConv2d) yield return "Normalize from tensors standalone";
                        break;
                    case RefLinear l:
                        yield return "Linear";
                        if (!l.Bias) yield return "Linear no bias";
                        break;
                    case RefPool2d p:
                        yield return p.Kind;
                        if (p.EffectiveStride != p.KernelSize) yield return p.Kind + " stride not kernel";
                        if (p.Padding > 0) yield return p.Kind + " padding";
                        break;
                    case RefGlobalAvgPool2d:
                        yield return "GlobalAvgPool2d";
                        break;
                    case RefFlatten:
                        yield return step.Input.IsFlat ? "Flatten of a flat tensor" : "Flatten of [C, H, W]";
                        break;
                    case RefDropout:
                        yield return "Dropout";
                        break;
                    case RefMaxout:
                        yield return step.Input.IsFlat ? "Maxout of a flat tensor" : "Maxout of [C, H, W]";
                        if (previous is RefConv2d) yield return "Maxout after Conv2d";
                        if (previous is RefLinear) yield return "Maxout after Linear";
                        break;
                    case RefLayerNorm n:
                        yield return step.Input.IsFlat ? "LayerNorm of a flat tensor" : "LayerNorm of [C, H, W]";
                        if (!n.ElementwiseAffine) yield return "LayerNorm no affine";
                        if (n.NormalizedShape is not null) yield return "LayerNorm declared shape";
                        if (n.Epsilon != 1e-5f) yield return "normalisation epsilon not 1e-5";
                        break;
                    case RefGroupNorm g:
                        yield return "GroupNorm";
                        if (g.NumGroups == 1) yield return "GroupNorm 1 group";
                        if (g.NumGroups == step.Input.Channels) yield return "GroupNorm one channel per group";
                        if (step.Input.IsFlat) yield return "GroupNorm of a flat tensor";
                        if (!g.Affine) yield return "GroupNorm no affine";
                        if (g.Epsilon != 1e-5f) yield return "normalisation epsilon not 1e-5";
                        break;
                    case RefInstanceNorm2d i:
                        yield return "InstanceNorm2d";
                        if (i.Affine) yield return "InstanceNorm2d affine";
                        if (i.TrackRunningStats) yield return previous is RefConv2d ? "InstanceNorm2d running stats folded into Conv2d" : "InstanceNorm2d running stats standalone";
                        if (i.Epsilon != 1e-5f) yield return "normalisation epsilon not 1e-5";
                        break;
                    case RefActivation a:
                        yield return a switch
                        {
                            RefLeakyReLU r => r.NegativeSlope == 0.01f ? "LeakyReLU default slope" : "LeakyReLU other slope",
                            RefELU e => e.Alpha == 1f ? "ELU default alpha" : "ELU other alpha",
                            RefGELU g => g.Approximate ? "GELU tanh" : "GELU erf",
                            _ => a.Kind,
                        };
                        yield return previous switch
                        {
                            RefConv2d => "activation after Conv2d",
                            RefBatchNorm2d when PreviousOf(network, step.Index - 1) is RefConv2d => "activation after Conv2d",
                            RefLinear => "activation after Linear",
                            RefBatchNorm1d when PreviousOf(network, step.Index - 1) is RefLinear => "activation after Linear",
                            RefLayerNorm or RefGroupNorm or RefInstanceNorm2d => "activation after a normalisation",
                            _ => "activation standalone",
                        };
                        break;
                }
                previous = layer;
            }
        }

        private static RefLayer? PreviousOf(RefNetwork network, int index) => index > 0 ? network.Layers[index - 1] : null;

        private static RefLayer? NextOf(RefNetwork network, int index) => index + 1 < network.Layers.Count ? network.Layers[index + 1] : null;

        [Fact]
        public void SweepCoversEveryLayerKindAndActivation()
        {
            var missingFromEdgeCases = Missing(SweepCatalog.Cases.Where(c => c.Id.StartsWith("edge-", StringComparison.Ordinal)));
            var missingFromCatalog = Missing(SweepCatalog.Cases);
            Assert.True(missingFromEdgeCases.Count == 0,
                $"The sweep's edge cases (Networks/EdgeCaseNetworks.cs) no longer exercise: {string.Join(", ", missingFromEdgeCases)}");
            Assert.Empty(missingFromCatalog);

            // Every sweep network maps to ONNX rows (ToSpec throws on a layer record it has no row for).
            foreach (SweepCase sweepCase in SweepCatalog.Cases) _ = OnnxRuntimeOracle.ToSpec(sweepCase.Network);
        }

        private static List<string> Missing(IEnumerable<SweepCase> cases)
        {
            var covered = new HashSet<string>(cases.SelectMany(c => Features(c.Network)), StringComparer.Ordinal);
            return RequiredFeatures.Where(f => !covered.Contains(f)).ToList();
        }
    }
}
