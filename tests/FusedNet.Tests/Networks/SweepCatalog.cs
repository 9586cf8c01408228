using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using FusedNet.Tests.Reference;

namespace FusedNet.Tests.Networks
{
    /// <summary>One network of the sweep: a stable id (the theory argument), its class name and its description.</summary>
    public sealed record SweepCase(string Id, string ClassName, RefNetwork Network, int Seed);

    /// <summary>
    /// The networks the sweep compiles, all in one compilation: the hand-written edge cases plus
    /// 100 × FUSEDNET_SWEEP_SCALE seeded random ones (scale defaults to 1; CI without AVX2 can lower it).
    /// </summary>
    /// <remarks>
    /// Compiling dominates the sweep's time: the generator emits ~75 KB of C# per network (Vector256 and
    /// Vector512 kernels for both paths), which Roslyn compiles at ~0.3 CPU-seconds per network. 100 random
    /// networks plus the edge cases keep the group near 20–30 s on two cores; scale 1.5 gives 150.
    /// </remarks>
    public static class SweepCatalog
    {
        public const string ScaleVariable = "FUSEDNET_SWEEP_SCALE";
        public const int RandomNetworksAtScaleOne = 100;
        public const int FirstRandomSeed = 7001;

        private static readonly Lazy<IReadOnlyList<SweepCase>> s_cases = new(CreateCases);

        public static IReadOnlyList<SweepCase> Cases => s_cases.Value;

        public static SweepCase Get(string id) =>
            Cases.FirstOrDefault(c => c.Id == id) ?? throw new ArgumentException($"No sweep case '{id}'.", nameof(id));

        /// <summary>The number of random networks, from <see cref="ScaleVariable"/>.</summary>
        public static int RandomCount
        {
            get
            {
                string? text = Environment.GetEnvironmentVariable(ScaleVariable);
                if (string.IsNullOrWhiteSpace(text)) return RandomNetworksAtScaleOne;
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) || scale < 0 || double.IsInfinity(scale))
                    throw new ArgumentException($"{ScaleVariable}='{text}' is not a non-negative number.");
                return (int)Math.Round(RandomNetworksAtScaleOne * scale);
            }
        }

        /// <summary>The C# file holding every sweep network's declaration.</summary>
        public static string Source(IEnumerable<SweepCase> cases)
        {
            var text = new StringBuilder("using FusedNet;\n\nnamespace FusedNet.Sweep;\n");
            foreach (SweepCase sweepCase in cases)
                text.Append("\n// ").Append(sweepCase.Id).Append('\n').Append(sweepCase.Network.ToDeclaration(sweepCase.ClassName));
            return text.ToString();
        }

        private static IReadOnlyList<SweepCase> CreateCases()
        {
            var cases = new List<SweepCase>();
            foreach (var (id, network) in EdgeCaseNetworks.All)
                cases.Add(new SweepCase("edge-" + id, $"Edge{cases.Count:D3}", network, Seed: 100 + cases.Count));
            for (int i = 0; i < RandomCount; i++)
            {
                int seed = FirstRandomSeed + i;
                cases.Add(new SweepCase($"random-{seed}", $"Random{seed}", RandomNetworks.Create(seed), seed));
            }
            foreach (SweepCase sweepCase in cases) _ = sweepCase.Network.ExpectedTensors; // fail early on an invalid description
            return cases;
        }
    }
}
