using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using FusedNet.Bench.Checks;
using FusedNet.Bench.Networks;
using FusedNet.Onnx;

namespace FusedNet.Bench.Benchmarks
{
    /// <summary>
    /// One inference of one sample (batch 1; one thread unless --threads says more) per call, on the same seeded weights and input:
    /// FusedNet's fused path, its unfused path, and ONNX Runtime as the baseline, so Ratio = FusedNet time /
    /// ORT time (below 1 is faster than ORT). Setup checks that all three compute the same output first.
    /// </summary>
    [MemoryDiagnoser]
    public class InferenceBenchmarks
    {
        private PreparedNetwork? _prepared;
        private IFusedNetwork _network = null!;
        private OrtNetworkSession _ort = null!;
        private float[] _input = null!;
        private float[] _output = null!;

        /// <summary>Which bench network (see BenchNetworks), in the order of the issue's table.</summary>
        [ParamsSource(nameof(SelectedNetworks))]
        public BenchNet Network { get; set; }

        /// <summary>
        /// Threads of both engines (FusedNet NetworkOptions.Threads, ORT IntraOpNumThreads): 1 unless --threads lists more,
        /// e.g. "1,2"; ratios compare the engines at the same thread count, and the rows of one run compare thread counts.
        /// </summary>
        [ParamsSource(nameof(SelectedThreads))]
        public int Threads { get; set; }

        /// <summary>The environment variable behind --threads: comma-separated thread counts (default "1").</summary>
        public const string ThreadsVariable = "FUSEDNET_BENCH_THREADS";

        public static IEnumerable<int> SelectedThreads()
        {
            string? selection = Environment.GetEnvironmentVariable(ThreadsVariable);
            if (string.IsNullOrWhiteSpace(selection)) return new[] { 1 };
            return selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => int.TryParse(t, out int n) && n >= 1 && n <= NetworkOptions.MaxThreads ? n
                    : throw new ArgumentException($"--threads: '{t}' is not a thread count (1 to {NetworkOptions.MaxThreads})."))
                .ToArray();
        }

        /// <summary>The environment variable behind --nets: a comma-separated list of network keys (e.g. "resnet18,mobilenetv2").</summary>
        public const string NetworksVariable = "FUSEDNET_BENCH_NETS";

        /// <summary>Every bench network, or those --nets named (BenchmarkDotNet has no command-line filter on parameter values).</summary>
        public static IEnumerable<BenchNet> SelectedNetworks()
        {
            string? selection = Environment.GetEnvironmentVariable(NetworksVariable);
            if (string.IsNullOrWhiteSpace(selection)) return Enum.GetValues<BenchNet>();
            var keys = selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (string key in keys)
                if (!BenchNetworks.All.Any(n => n.Key == key.ToLowerInvariant()))
                    throw new ArgumentException($"--nets: unknown network '{key}' (one of {string.Join(", ", BenchNetworks.All.Select(n => n.Key))}).");
            return BenchNetworks.All.Where(n => keys.Contains(n.Key, StringComparer.OrdinalIgnoreCase)).Select(n => n.Id).ToArray();
        }

        [GlobalSetup]
        public void Setup()
        {
            RequireRequestedVectorWidth();
            _prepared = PreparedNetwork.Create(BenchNetworks.Get(Network), Threads);
            _prepared.VerifyAgainstOnnxRuntime(); // throws, failing this benchmark, if the outputs differ
            _network = _prepared.Network;
            _ort = _prepared.Ort;
            _input = _prepared.Input;
            _output = _prepared.FusedOutput;
        }

        /// <summary>
        /// The AVX-512-off and AVX2-off jobs are only meaningful if the runtime honoured the switch; fail instead of
        /// reporting Vector512 numbers under a Vector256 label (or Vector256 numbers under a Vector128 one).
        /// </summary>
        private static void RequireRequestedVectorWidth()
        {
            bool avx512Requested = Environment.GetEnvironmentVariable(BenchConfig.Avx512Switch) != "0"
                                   && Environment.GetEnvironmentVariable(BenchConfig.Avx512SwitchNet10) != "0";
            Console.WriteLine($"// Vector512.IsHardwareAccelerated = {Vector512.IsHardwareAccelerated}, Vector256.IsHardwareAccelerated = {Vector256.IsHardwareAccelerated}");
            if (!avx512Requested && Vector512.IsHardwareAccelerated)
                throw new InvalidOperationException("AVX-512 was switched off by environment variable, yet Vector512 is still hardware-accelerated.");
            bool only128 = Environment.GetEnvironmentVariable(BenchConfig.Avx2Switch) == "0"
                           || Environment.GetEnvironmentVariable(BenchConfig.PreferredWidthSwitch) == "128";
            if (only128 && Vector256.IsHardwareAccelerated)
                throw new InvalidOperationException("AVX2 (or vector widths above 128 bits) switched off by environment variable, yet Vector256 is still hardware-accelerated.");
        }

        [GlobalCleanup]
        public void Cleanup() => _prepared?.Dispose();

        [Benchmark]
        public void Fused() => _network.Forward(_input, _output);

        [Benchmark]
        public void Unfused() => _network.ForwardUnfused(_input, _output);

        [Benchmark(Baseline = true)]
        public void OnnxRuntime() => _ort.Run();
    }
}
