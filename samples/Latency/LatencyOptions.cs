using System;
using System.Globalization;
using System.Linq;

namespace Latency
{
    /// <summary>Which engines to time.</summary>
    internal enum EngineChoice { Both, FusedNet, Ort }

    /// <summary>The command line, parsed.</summary>
    internal sealed class LatencyOptions
    {
        public const string Usage =
            "usage: Latency [--iterations N] [--warmup N] [--block N] [--network tiny|cifar|mobile]\n" +
            "               [--engine fusednet|ort|both] [--histogram-svg PATH]\n" +
            "  --iterations N       timed calls per engine (default 20000)\n" +
            "  --warmup N           warm-up calls per engine, times discarded (default 1000; goes on until the JIT is quiet)\n" +
            "  --block N            calls per engine per interleaved block (default 1000)\n" +
            "  --network KEY        the bench network to run (default tiny)\n" +
            "  --engine WHICH       fusednet, ort or both (default both)\n" +
            "  --histogram-svg PATH also write the histograms as an SVG file";

        public int Iterations { get; private set; } = 20_000;
        public int Warmup { get; private set; } = 1_000;
        public int BlockSize { get; private set; } = 1_000;
        public LatencyNetwork Network { get; private set; } = LatencyNetwork.All[0];
        public EngineChoice Engines { get; private set; } = EngineChoice.Both;
        public string? HistogramSvgPath { get; private set; }
        public bool ShowHelp { get; private set; }

        /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a readable message.</summary>
        public static LatencyOptions Parse(string[] args)
        {
            var options = new LatencyOptions();
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                if (name is "-h" or "--help") { options.ShowHelp = true; continue; }
                string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
                switch (name)
                {
                    case "--iterations": options.Iterations = PositiveInt(name, value); break;
                    case "--warmup": options.Warmup = NonNegativeInt(name, value); break;
                    case "--block": options.BlockSize = PositiveInt(name, value); break;
                    case "--network": options.Network = ParseNetwork(value); break;
                    case "--engine": options.Engines = ParseEngine(value); break;
                    case "--histogram-svg": options.HistogramSvgPath = value; break;
                    default: throw new ArgumentException($"unknown option '{name}'");
                }
            }
            return options;
        }

        public bool RunsFusedNet => Engines != EngineChoice.Ort;
        public bool RunsOrt => Engines != EngineChoice.FusedNet;

        private static LatencyNetwork ParseNetwork(string key) =>
            LatencyNetwork.Find(key) ?? throw new ArgumentException(
                $"unknown network '{key}': one of {string.Join(", ", LatencyNetwork.All.Select(n => n.Key))}");

        private static EngineChoice ParseEngine(string value) => value.ToLowerInvariant() switch
        {
            "both" => EngineChoice.Both,
            "fusednet" => EngineChoice.FusedNet,
            "ort" => EngineChoice.Ort,
            _ => throw new ArgumentException($"unknown engine '{value}': fusednet, ort or both"),
        };

        private static int PositiveInt(string name, string value)
        {
            int n = NonNegativeInt(name, value);
            return n > 0 ? n : throw new ArgumentException($"{name} must be at least 1");
        }

        private static int NonNegativeInt(string name, string value) =>
            int.TryParse(value.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0
                ? n
                : throw new ArgumentException($"{name} needs a whole number, got '{value}'");
    }
}
