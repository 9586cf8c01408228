using System;
using System.Linq;
using System.Text.RegularExpressions;
using FusedNet.Generator.Emit;
using FusedNet.Generator.Model;
using Xunit;

namespace FusedNet.Tests.Graphs
{
    /// <summary>
    /// Vector512 convolutions whose last output vector of a group has at most 8 real lanes (24 = 16 + 8, 40 = 32 + 8, 8)
    /// compute it at Vector256 width (ConvEmitter.HalfLastVector) and store it whole with zero padding lanes. Checked on
    /// 1×1 and 3×3 convs, a residual epilogue, two groups of 24 and a conv with a single 8-channel vector, against the double
    /// reference (fused, unfused, batch) and on 2–3 threads bit-equal to one thread.
    /// </summary>
    public class HalfVectorTests
    {
        private static GraphNet Net()
        {
            var g = new GraphNet(40, 13, 11) { Winograd = WinogradUse.Never };
            int first = g.ConvBn(GraphNet.In, 24, 1, "reduce", "reduce_bn", activation: LayerKind.ReLU6);       // 16 + 8
            int x = g.ConvBn(first, 40, 3, "widen", "widen_bn", padding: 1, activation: LayerKind.SiLU);         // 32 + 8
            x = g.ConvBn(x, 24, 1, "project", "project_bn", activation: null);                                   // + residual
            x = g.Add(x, first);
            x = g.ReLU(g.Conv(x, 48, 3, "grouped", padding: 1, groups: 2));                                      // 2 × (16 + 8)
            x = g.Conv(x, 8, 1, "narrow");                                                                       // one half vector
            g.Linear(g.Flatten(g.GlobalAvgPool(x)), 5, "fc");
            return g;
        }

        [Fact]
        public void Convs_with_an_8_lane_last_vector_compute_it_at_half_width_and_match_the_reference()
        {
            using CompiledGraphs compiled = GraphCompiler.Compile("HalfVector", Net());
            string source = NetworkEmitter.Emit(compiled.Plans["HalfVector"]);
            // Every Vector512 output-vector kernel of these convs has the half-width vector (the 8-channel one has only it).
            int kernels = Regex.Matches(source, @"public static void Conv\w+_V512\(").Count;
            int halfKernels = Regex.Matches(source, @"at Vector256 width: its other 8 lanes are padding").Count;
            Assert.True(kernels >= 5, $"{kernels} Vector512 conv kernels");
            Assert.True(halfKernels >= 5, $"{halfKernels} half-width blocks in {kernels} Vector512 conv kernels");
            Assert.Contains("Vector256.FusedMultiplyAdd(x0.GetLower(), ", source);
            Assert.Contains(").ToVector512(), ref o, ", source);

            (IFusedNetwork single, IWeightSource weights) = compiled.CreateRandom("HalfVector", seed: 3);
            GraphAssert.MatchesReference(single, weights, Net(), inputSeed: 4, "HalfVector");
            GraphAssert.ThreadsMatchOneThreadBitForBit(compiled, "HalfVector", Net(), seed: 5);
        }
    }
}
