using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using FusedNet.Bench.Networks;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// --compare-build DIR NET [THREADS [SECONDS]]: this build's fused path against another build's (DIR: that build's
    /// bin/Release/net10.0, e.g. from a git worktree of an older commit) on the same network, in one process, in alternating
    /// rounds of 3 calls (which goes first alternates too). Separate processes on a shared VM differ by 5–10% from run to
    /// run; interleaved in one process a change in the machine's state hits both builds alike, and a build against itself
    /// gives 0.99–1.01. The other build is loaded into its own AssemblyLoadContext (its FusedNet assemblies, same names).
    /// </summary>
    internal static class BuildComparison
    {
        private const int CallsPerRound = 3;

        public static int Run(string otherBuild, string networkName, int threads, double seconds)
        {
            if (BenchNetworks.Parse(networkName) is not { } bench) return 2;
            string otherBench = Path.Combine(Path.GetFullPath(otherBuild), "FusedNet.Bench.dll");
            if (!File.Exists(otherBench))
            {
                Console.Error.WriteLine($"--compare-build: no FusedNet.Bench.dll in {otherBuild}");
                return 2;
            }
            IFusedNetwork mine = bench.Create(RandomWeights.Create(bench.ExpectedWeights, PreparedNetwork.WeightSeed), threads);
            float[] input = RandomWeights.RandomInput(mine.InputLength, PreparedNetwork.InputSeed), output = new float[mine.OutputLength];
            Action runMine = () => mine.Forward(input, output);
            Action runOther = OtherBuildForward(otherBench, bench.Key, threads, input, new float[mine.OutputLength]);

            for (int i = 0; i < 30; i++) { runMine(); runOther(); }
            var mineRounds = new List<double>();
            var otherRounds = new List<double>();
            var total = Stopwatch.StartNew();
            for (int round = 0; total.Elapsed.TotalSeconds < seconds; round++)
            {
                bool mineFirst = round % 2 == 0;
                (mineFirst ? mineRounds : otherRounds).Add(RoundMicros(mineFirst ? runMine : runOther));
                (mineFirst ? otherRounds : mineRounds).Add(RoundMicros(mineFirst ? runOther : runMine));
            }
            double a = ThreadTiming.Median(otherRounds), b = ThreadTiming.Median(mineRounds);
            Console.WriteLine($"{bench.Key}, {threads} thread(s): other build {a:F1} µs, this build {b:F1} µs, this / other {b / a:F3} " +
                $"(medians of {mineRounds.Count} alternating rounds of {CallsPerRound} calls)");
            (mine as IDisposable)?.Dispose();
            return 0;
        }

        /// <summary>A call of the other build's fused Forward on <paramref name="input"/>, through its own types.</summary>
        private static Action OtherBuildForward(string benchPath, string key, int threads, float[] input, float[] output)
        {
            var context = new BuildLoadContext(Path.GetDirectoryName(benchPath)!);
            Assembly otherBench = context.LoadFromAssemblyPath(benchPath);
            Assembly otherRuntime = context.LoadFromAssemblyName(new AssemblyName("FusedNet.Runtime"));
            const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
            object otherNetwork = otherBench.GetType("FusedNet.Bench.Networks.BenchNetworks", true)!.GetMethod("Parse", Any)!.Invoke(null, new object[] { key })!;
            object expected = otherNetwork.GetType().GetProperty("ExpectedWeights", Any)!.GetValue(otherNetwork)!;
            MethodInfo createWeights = otherRuntime.GetType("FusedNet.RandomWeights", true)!.GetMethods()
                .First(m => m.Name == "Create" && m.GetParameters()[0].ParameterType.Name.StartsWith("IReadOnlyList", StringComparison.Ordinal));
            object?[] weightArguments = createWeights.GetParameters()
                .Select((p, i) => i == 0 ? expected : i == 1 ? PreparedNetwork.WeightSeed : Type.Missing).ToArray();
            object weights = createWeights.Invoke(null, BindingFlags.OptionalParamBinding, null, weightArguments, null)!;
            MethodInfo create = otherNetwork.GetType().GetMethod("Create", Any)!;
            object?[] createArguments = create.GetParameters().Select((p, i) => i == 0 ? weights : i == 1 ? threads : Type.Missing).ToArray();
            object network = create.Invoke(otherNetwork, BindingFlags.OptionalParamBinding, null, createArguments, null)!;
            Type contract = otherRuntime.GetType("FusedNet.IFusedNetwork", true)!;
            MethodInfo forward = contract.GetMethods().First(m => m.Name == "Forward" && m.GetParameters().Length == 2);
            return (Action)typeof(BuildComparison).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(contract).Invoke(null, new object[] { network, forward, input, output })!;
        }

        private delegate void Forward<T>(T network, ReadOnlySpan<float> input, Span<float> output);

        /// <summary>A direct delegate to the interface method (no reflection per call).</summary>
        private static Action Bind<T>(object network, MethodInfo forward, float[] input, float[] output)
        {
            var call = (Forward<T>)Delegate.CreateDelegate(typeof(Forward<T>), null, forward);
            T typed = (T)network;
            return () => call(typed, input, output);
        }

        private static double RoundMicros(Action run)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < CallsPerRound; i++) run();
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds / CallsPerRound;
        }

        /// <summary>Loads the other build's FusedNet assemblies from its directory; everything else from the default context.</summary>
        private sealed class BuildLoadContext(string directory) : AssemblyLoadContext(isCollectible: false)
        {
            protected override Assembly? Load(AssemblyName name)
            {
                string path = Path.Combine(directory, name.Name + ".dll");
                return name.Name!.StartsWith("FusedNet", StringComparison.Ordinal) && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
            }
        }
    }
}
