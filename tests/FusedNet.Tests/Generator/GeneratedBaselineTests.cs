using System;
using System.IO;
using System.Linq;
using FusedNet.Tests.Harness;

namespace FusedNet.Tests.Generator
{
    /// <summary>
    /// The whole generated file of small networks, compared with checked-in baselines (Generator/Baselines/*.g.cs.txt),
    /// so every change to what users get — a kernel's loop order, a name, a comment — shows up in review as a diff of
    /// that file instead of passing unnoticed. When a change is intended, one command rewrites the baselines
    /// (<see cref="UpdateCommand"/>); review the diff before committing it.
    /// </summary>
    public class GeneratedBaselineTests
    {
        /// <summary>The environment variable that makes the tests rewrite the baselines instead of comparing.</summary>
        public const string UpdateVariable = "FUSEDNET_UPDATE_BASELINES";

        /// <summary>Run from the repository root; the one command to accept changed generated code.</summary>
        public const string UpdateCommand =
            UpdateVariable + "=1 dotnet test tests/FusedNet.Tests -c Release --filter FullyQualifiedName~GeneratedBaselineTests";

        /// <summary>An attribute-declared chain with every fusion of the chain front end: conv+BN+activation, a standalone pool, Linear.</summary>
        public const string AttributeNetwork = """
            using FusedNet;

            namespace Baselines
            {
                [FusedNetwork(3, 8, 8)]
                [Conv2d(16, 3, Padding = 1)]
                [BatchNorm2d]
                [ReLU]
                [MaxPool2d(2)]
                [Conv2d(8, 3, Stride = 2, Padding = 1, Groups = 8)]
                [BatchNorm2d]
                [Hardswish]
                [GlobalAvgPool2d]
                [Linear(4)]
                public partial class TinyChain;
            }
            """;

        /// <summary>A module network with every graph operation: a residual block (Add fused into the conv epilogue), squeeze-excite (Mul), Cat.</summary>
        public const string ModuleNetwork = """
            using FusedNet;
            using FusedNet.Modules;

            namespace Baselines
            {
                [FusedModule]
                public partial class Residual(int channels) : Module
                {
                    readonly Conv2d conv = new(channels, channels, 3, padding: 1, bias: false);
                    readonly BatchNorm2d bn = new(channels);

                    public Tensor Forward(Tensor x) => F.Relu(bn.Forward(conv.Forward(x)) + x);
                }

                [FusedNetwork(3, 6, 6), FusedModule]
                public partial class TinyGraph : Module
                {
                    readonly Conv2d stem = new(3, 8, 3, padding: 1);
                    readonly Residual block = new(8);
                    readonly Conv2d squeeze = new(8, 4, 1);
                    readonly Conv2d excite = new(4, 8, 1);
                    readonly Conv2d branch = new(8, 5, 1);
                    readonly Linear fc = new(13, 3);

                    public Tensor Forward(Tensor x)
                    {
                        x = block.Forward(F.Relu(stem.Forward(x)));
                        x = x * F.Sigmoid(excite.Forward(F.Relu(squeeze.Forward(F.AdaptiveAvgPool2d(x, 1)))));
                        Tensor both = Tensor.Cat(x, branch.Forward(x));
                        return fc.Forward(F.Flatten(F.AdaptiveAvgPool2d(both, 1)));
                    }
                }
            }
            """;

        /// <summary>
        /// Normalisations folded into the following convolution with a filled border: Normalize before a padded conv (the
        /// network input's border holds the means) and BatchNorm before a padded conv (fill from the weights, γ = 0 fallback).
        /// </summary>
        public const string NormalizedNetwork = """
            using FusedNet;

            namespace Baselines
            {
                [FusedNetwork(3, 6, 6)]
                [Normalize(new[] { 0.485f, 0.456f, 0.406f }, new[] { 0.229f, 0.224f, 0.225f })]
                [Conv2d(8, 3, Padding = 1)]
                [ReLU]
                [BatchNorm2d]
                [Conv2d(4, 3, Padding = 1)]
                public partial class TinyNormalized;
            }
            """;

        [Fact]
        public void NormalizedNetwork_GeneratedFile_MatchesTheBaseline() => AssertMatchesBaseline(NormalizedNetwork, "TinyNormalized.g.cs.txt");

        /// <summary>
        /// BatchNorms without running statistics: a conv's BatchNorm that cannot be folded (per-sample kernel for a batch of one,
        /// gathering and normalising kernels for batches, the phases of RunFusedBatch) and a flat BatchNorm1d (batch 1 rejected).
        /// </summary>
        public const string BatchStatisticsNetwork = """
            using FusedNet;

            namespace Baselines
            {
                [FusedNetwork(3, 5, 5)]
                [Conv2d(4, 3, Padding = 1)]
                [BatchNorm2d(TrackRunningStats = false)]
                [ReLU]
                [GlobalAvgPool2d]
                [Linear(2)]
                [BatchNorm1d(TrackRunningStats = false)]
                public partial class TinyBatchStatistics;
            }
            """;

        [Fact]
        public void BatchStatisticsNetwork_GeneratedFile_MatchesTheBaseline() => AssertMatchesBaseline(BatchStatisticsNetwork, "TinyBatchStatistics.g.cs.txt");

        [Fact]
        public void AttributeNetwork_GeneratedFile_MatchesTheBaseline() => AssertMatchesBaseline(AttributeNetwork, "TinyChain.g.cs.txt");

        [Fact]
        public void ModuleNetwork_GeneratedFile_MatchesTheBaseline() => AssertMatchesBaseline(ModuleNetwork, "TinyGraph.g.cs.txt");

        internal static void AssertMatchesBaseline(string source, string baselineFile)
        {
            GeneratorRun run = GeneratorHarness.RunGenerator(source);
            GeneratorAssert.NoGeneratorException(run);
            Assert.Empty(run.GeneratorDiagnostics);
            string actual = Assert.Single(run.GeneratedSources).Text;

            if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
            {
                File.WriteAllText(Path.Combine(RepositoryRoot(), "tests", "FusedNet.Tests", "Generator", "Baselines", baselineFile), actual);
                return;
            }

            string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Baselines", baselineFile)).Replace("\r\n", "\n");
            if (expected == actual) return;
            string[] e = expected.Split('\n'), a = actual.Split('\n');
            int line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
            Assert.Fail($"The generated file differs from Baselines/{baselineFile} at line {line + 1}:\n" +
                $"  expected: {(line < e.Length ? e[line] : "<end of file>")}\n  actual:   {(line < a.Length ? a[line] : "<end of file>")}\n" +
                $"If the change is intended, run from the repository root: {UpdateCommand}");
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "FusedNet.sln"))) return dir.FullName;
            throw new InvalidOperationException($"No FusedNet.sln above {AppContext.BaseDirectory}: run the update from a clone of the repository.");
        }
    }
}
