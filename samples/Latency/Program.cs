using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using FusedNet;

namespace Latency;

/// <summary>
/// The latency-sensitive embedding case: one inference at a time in a loop, each call timed on its own. Prints the
/// machine, then p50/p99/p99.9/max per engine, the GC collections and bytes allocated during each engine's calls, a
/// log-scale histogram and the p99.9 verdict, for FusedNet's fused Forward next to ONNX Runtime on the same network
/// and weights. Exit code 2 if FusedNet's timed calls allocated anything.
/// </summary>
internal static class Program
{
    private const int WeightSeed = 42; // the bench's seeds (bench/FusedNet.Bench/Checks/PreparedNetwork.cs)
    private const int InputSeed = 7;
    private const double OutputTolerance = 1e-3; // the bench's: |a - b| ≤ 1e-3·max(1, |a|)

    private static int Main(string[] args)
    {
        LatencyOptions options;
        try
        {
            options = LatencyOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}\n{LatencyOptions.Usage}");
            return 1;
        }
        if (options.ShowHelp)
        {
            Console.WriteLine(LatencyOptions.Usage);
            return 0;
        }
        return Run(options);
    }

    private static int Run(LatencyOptions options)
    {
        MachineFacts.Print(Console.Out);

        LatencyNetwork net = options.Network;
        IWeightSource weights = RandomWeights.Create(net.ExpectedWeights, WeightSeed);
        IFusedNetwork network = net.Create(weights);
        net.Spec.VerifyAgainst(net.Key, network); // the ONNX graph is the declared network, layer by layer
        VectorWidth width = network.VectorWidth;
        Console.WriteLine($"FusedNet width: {width} ({(width.IsHardwareAccelerated() ? "hardware-accelerated" : "software")}) for network '{net.Key}' " +
                          $"({network.InputShape} -> {network.OutputShape}, {2.0 * network.Layers.Sum(l => l.MultiplyAccumulates) / 1e6:F1} MFLOP)");
        Console.WriteLine();

        float[] input = RandomWeights.RandomInput(network.InputLength, InputSeed);
        using var engines = new EngineSet(CreateEngines(options, net, network, weights, input));
        if (!OutputsAgree(engines.All)) return 1;

        LatencyRecorder[] recorders = Array.ConvertAll(engines.All, e => new LatencyRecorder(e, options.Iterations));
        var run = new InterleavedRun(recorders, options.BlockSize);
        run.WarmUp(options.Warmup);
        run.Measure();

        PrintRunDescription(options, run, recorders);
        LatencySummary[] summaries = Array.ConvertAll(recorders, r => LatencySummary.FromSorted(r.Engine.Name, r.SortedTicks()));
        PrintPercentiles(summaries);
        PrintGcAndAllocations(recorders);
        LogHistogram histogram = LogHistogram.Build(Array.ConvertAll(recorders, r => (r.Engine.Name, ToMicroseconds(r.Ticks))));
        Console.WriteLine();
        HistogramRenderer.WriteText(Console.Out, histogram);
        WriteSvgIfAsked(options, histogram, net.Key);
        PrintVerdict(summaries, recorders);
        return FusedNetAllocated(recorders) ? 2 : 0;
    }

    private static InferenceEngine[] CreateEngines(LatencyOptions options, LatencyNetwork net, IFusedNetwork network, IWeightSource weights, float[] input)
    {
        var engines = new List<InferenceEngine>();
        if (options.RunsFusedNet) engines.Add(new FusedNetEngine(network, input));
        if (options.RunsOrt) engines.Add(new OrtEngine(net.Spec, net.Key, weights, input));
        return engines.ToArray();
    }

    /// <summary>Runs each engine once and checks they compute the same thing before their times are compared.</summary>
    private static bool OutputsAgree(InferenceEngine[] engines)
    {
        foreach (InferenceEngine engine in engines) engine.Infer();
        for (int e = 1; e < engines.Length; e++)
        {
            ReadOnlySpan<float> reference = engines[0].Output, other = engines[e].Output;
            for (int i = 0; i < reference.Length; i++)
            {
                if (Math.Abs(reference[i] - other[i]) > OutputTolerance * Math.Max(1, Math.Abs(reference[i])))
                {
                    Console.Error.WriteLine($"error: {engines[0].Name} and {engines[e].Name} disagree at output {i}: {reference[i]} vs {other[i]}");
                    return false;
                }
            }
        }
        if (engines.Length > 1) Console.WriteLine($"outputs: {string.Join(" and ", Array.ConvertAll(engines, e => e.Name))} agree within {OutputTolerance:0e0}·max(1,|x|)");
        return true;
    }

    private static void PrintRunDescription(LatencyOptions options, InterleavedRun run, LatencyRecorder[] recorders)
    {
        Console.WriteLine($"warm-up:        {run.WarmupCalls:N0} calls per engine, times discarded, over {run.WarmupTime.TotalMilliseconds:N0} ms " +
                          (run.JitSettled ? "(until the JIT had been quiet for 0.5 s)" : "(stopped at the 10 s limit with the JIT still compiling)"));
        Console.WriteLine($"timed:          {options.Iterations:N0} calls per engine, one at a time, each timed on its own, batch 1, one thread");
        if (recorders.Length > 1)
            Console.WriteLine($"interleaved:    blocks of {options.BlockSize:N0} calls per engine, alternating (order swapped every round, {run.Rounds} rounds, " +
                              $"{run.RunTime.TotalSeconds:F1} s), so machine noise hits every engine alike");
        Console.WriteLine($"JIT:            methods compiled (process-wide) during each engine's timed calls: {string.Join(", ", Array.ConvertAll(recorders, r => $"{r.Engine.Name} {r.MethodsJitted}"))}");
        Console.WriteLine();
    }

    private static void PrintPercentiles(LatencySummary[] summaries)
    {
        Console.WriteLine("engine       calls     min µs     p50 µs     p90 µs     p99 µs   p99.9 µs     max µs    mean µs");
        foreach (LatencySummary s in summaries)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Engine,-9} {s.Count,8:N0} {s.Min,10:F1} {s.P50,10:F1} {s.P90,10:F1} {s.P99,10:F1} {s.P999,10:F1} {s.Max,10:F1} {s.Mean,10:F1}"));
        Console.WriteLine();
    }

    private static void PrintGcAndAllocations(LatencyRecorder[] recorders)
    {
        Console.WriteLine("engine     gen0 GCs  gen1 GCs  gen2 GCs   bytes (this thread)   bytes (process)    during the engine's timed calls");
        foreach (LatencyRecorder r in recorders)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Engine.Name,-9} {r.Gen0Collections,9} {r.Gen1Collections,9} {r.Gen2Collections,9} {r.ThreadAllocatedBytes,21:N0} {r.ProcessAllocatedBytes,17:N0}"));
        foreach (LatencyRecorder r in recorders)
        {
            if (r.Engine is not FusedNetEngine) continue;
            Console.WriteLine(r.ThreadAllocatedBytes == 0
                ? $"check: FusedNet's timed loop allocated 0 bytes over {r.Recorded:N0} calls"
                : $"CHECK FAILED: FusedNet's timed loop allocated {r.ThreadAllocatedBytes:N0} bytes over {r.Recorded:N0} calls (expected 0)");
        }
    }

    private static void PrintVerdict(LatencySummary[] summaries, LatencyRecorder[] recorders)
    {
        LatencySummary? fused = Array.Find(summaries, s => s.Engine == "FusedNet");
        LatencySummary? ort = Array.Find(summaries, s => s.Engine == "ORT");
        Console.WriteLine();
        if (fused is null || ort is null)
        {
            LatencySummary only = summaries[0];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p99.9: {only.Engine} {only.P999:F1} µs (one engine: no ratio)"));
            return;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"p99.9: FusedNet {fused.P999:F1} µs, ORT {ort.P999:F1} µs ({ort.P999 / fused.P999:F2}x)"));
        LatencyRecorder fusedRecorder = Array.Find(recorders, r => r.Engine is FusedNetEngine)!;
        int fusedGcs = fusedRecorder.Gen0Collections + fusedRecorder.Gen1Collections + fusedRecorder.Gen2Collections;
        bool halfOrLess = fused.P999 <= ort.P999 / 2;
        Console.WriteLine($"goal (FusedNet p99.9 at most half of ORT's, 0 GCs during FusedNet's calls): " +
                          $"{(halfOrLess && fusedGcs == 0 ? "met" : "not met")} in this run " +
                          $"(p99.9 {(halfOrLess ? "≤" : ">")} half, {fusedGcs} GCs)");
    }

    private static void WriteSvgIfAsked(LatencyOptions options, LogHistogram histogram, string networkKey)
    {
        if (options.HistogramSvgPath is null) return;
        HistogramRenderer.WriteSvg(options.HistogramSvgPath, histogram, $"Latency per call, network '{networkKey}'");
        Console.WriteLine($"  histogram written to {Path.GetFullPath(options.HistogramSvgPath)}");
    }

    private static bool FusedNetAllocated(LatencyRecorder[] recorders) =>
        Array.Exists(recorders, r => r.Engine is FusedNetEngine && r.ThreadAllocatedBytes != 0);

    private static double[] ToMicroseconds(ReadOnlySpan<long> ticks)
    {
        var result = new double[ticks.Length];
        for (int i = 0; i < ticks.Length; i++) result[i] = LatencySummary.ToMicroseconds(ticks[i]);
        return result;
    }

    /// <summary>Disposes every engine (the ORT session holds native memory).</summary>
    private sealed class EngineSet : IDisposable
    {
        public EngineSet(InferenceEngine[] all) => All = all;
        public InferenceEngine[] All { get; }
        public void Dispose()
        {
            foreach (InferenceEngine engine in All) engine.Dispose();
        }
    }
}
