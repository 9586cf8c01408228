using System;
using System.Collections.Generic;
using System.Linq;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Networks
{
    /// <summary>The sweep really covers what it claims, and every network in it is valid for PyTorch.</summary>
    public class SweepCatalogTests
    {
        [Fact]
        public void Cases_HaveUniqueIdsAndClassNames()
        {
            var cases = SweepCatalog.Cases;
            Assert.Equal(cases.Count, cases.Select(c => c.Id).Distinct().Count());
            Assert.Equal(cases.Count, cases.Select(c => c.ClassName).Distinct().Count());
        }

        [Fact]
        public void RandomNetworks_AreDeterministicPerSeed()
        {
            Assert.Equal(RandomNetworks.Create(42).ToDeclaration("A"), RandomNetworks.Create(42).ToDeclaration("A"));
            Assert.NotEqual(RandomNetworks.Create(42).ToDeclaration("A"), RandomNetworks.Create(43).ToDeclaration("A"));
        }

        [Fact]
        public void RandomNetworks_CoverEveryLayerKindAndParameter()
        {
            // The networks of scale 1, independent of FUSEDNET_SWEEP_SCALE.
            var networks = Enumerable.Range(SweepCatalog.FirstRandomSeed, SweepCatalog.RandomNetworksAtScaleOne).Select(RandomNetworks.Create).ToList();
            var steps = networks.SelectMany(n => n.Shapes.Select(s => (Network: n, Step: s))).ToList();
            var convs = steps.Where(s => s.Step.Layer is RefConv2d).Select(s => (Conv: (RefConv2d)s.Step.Layer, s.Step.Input)).ToList();

            var missing = new List<string>();
            void Expect(string what, bool covered)
            {
                if (!covered) missing.Add(what);
            }

            foreach (string kind in new[] { "Conv2d", "BatchNorm2d", "BatchNorm1d", "ReLU", "ReLU6", "Sigmoid", "Tanh", "SiLU", "Hardswish",
                         "Hardsigmoid", "LeakyReLU", "ELU", "GELU", "Dropout", "MaxPool2d", "AvgPool2d", "GlobalAvgPool2d", "Flatten", "Linear" })
                Expect(kind, steps.Any(s => s.Step.Layer.Kind == kind));

            Expect("GELU tanh", steps.Any(s => s.Step.Layer is RefGELU { Approximate: true }));
            Expect("LeakyReLU non-default", steps.Any(s => s.Step.Layer is RefLeakyReLU l && l.NegativeSlope != 0.01f));
            Expect("ELU non-default", steps.Any(s => s.Step.Layer is RefELU e && e.Alpha != 1f));
            Expect("stride 3", convs.Any(c => c.Conv.Stride == 3));
            Expect("padding 2", convs.Any(c => c.Conv.Padding == 2));
            Expect("dilation 2", convs.Any(c => c.Conv.Dilation == 2));
            Expect("non-square kernel", convs.Any(c => c.Conv.EffectiveKernelWidth != c.Conv.KernelHeight));
            Expect("depthwise", convs.Any(c => c.Conv.Groups > 1 && c.Conv.Groups == c.Input.Channels));
            Expect("depthwise multiplier 2", convs.Any(c => c.Conv.Groups > 1 && c.Conv.Groups == c.Input.Channels && c.Conv.OutChannels == 2 * c.Input.Channels));
            Expect("grouped, not depthwise", convs.Any(c => c.Conv.Groups > 1 && c.Conv.Groups < c.Input.Channels));
            Expect("per-group out 8", convs.Any(c => c.Conv.Groups > 1 && c.Conv.OutChannels / c.Conv.Groups == 8));
            Expect("per-group out 16", convs.Any(c => c.Conv.Groups > 1 && c.Conv.OutChannels / c.Conv.Groups == 16));
            Expect("per-group out odd", convs.Any(c => c.Conv.Groups > 1 && c.Conv.OutChannels / c.Conv.Groups % 2 == 1 && c.Conv.OutChannels / c.Conv.Groups > 1));
            Expect("conv without bias", convs.Any(c => !c.Conv.Bias));
            Expect("BN after conv", steps.Any(s => s.Step.Layer is RefBatchNorm2d && s.Step.Index > 0 && s.Network.Layers[s.Step.Index - 1] is RefConv2d));
            Expect("standalone BN2d", steps.Any(s => s.Step.Layer is RefBatchNorm2d && (s.Step.Index == 0 || s.Network.Layers[s.Step.Index - 1] is not RefConv2d)));
            Expect("BN1d after Linear", steps.Any(s => s.Step.Layer is RefBatchNorm1d && s.Network.Layers[s.Step.Index - 1] is RefLinear));
            Expect("BN epsilon non-default", steps.Any(s => s.Step.Layer is RefBatchNorm b && b.Epsilon != 1e-5f));
            Expect("pool with padding", steps.Any(s => s.Step.Layer is RefPool2d { Padding: > 0 }));
            Expect("pool with explicit stride", steps.Any(s => s.Step.Layer is RefPool2d { Stride: > 0 }));
            Expect("Name override", steps.Any(s => s.Step.Layer.Name is not null));
            Expect("spatial output", networks.Any(n => !n.OutputShape.IsFlat));
            Expect("1x1 spatial", steps.Any(s => !s.Step.Output.IsFlat && s.Step.Output.Height == 1 && s.Step.Output.Width == 1));
            Expect("input 19 wide", networks.Any(n => n.W == 19));
            Expect("17 channels", networks.Any(n => n.C == 17));

            Assert.True(missing.Count == 0, "Not covered: " + string.Join(", ", missing));
        }
    }
}
