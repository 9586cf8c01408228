using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FusedNet;
using BenchCifarNet = FusedNet.Bench.Networks.CifarNet;
using SampleCifarNet = CifarSample.CifarNet;

namespace FusedNet.ColdStart;

/// <summary>
/// What a cold start costs: one process that builds a network, runs one <c>Forward</c>, prints the
/// logits and exits. Timed from outside (process start to exit, e.g. hyperfine; peak RSS with
/// /usr/bin/time -v), so everything a real first inference pays is in: runtime start-up, weight loading,
/// BatchNorm folding and repacking, and the first call.
///
///   FusedNet.ColdStart [cifar|sample] [--weights FILE.safetensors] [--save FILE.safetensors] [--info] [--phases]
///
/// Weights: read from FILE (what an application does), else seeded random (seed 42, as the bench).
/// Input: RandomWeights.RandomInput(InputLength, seed 7), as the bench. --save writes the random weights,
/// --info also prints which vector widths this process accelerates, --phases where the time went (process
/// start to Main, weights + construction, first Forward).
/// </summary>
internal static class Program
{
    private const int WeightSeed = 42;
    private const int InputSeed = 7;

    private static int Main(string[] args)
    {
        if (Array.IndexOf(args, "--phases") >= 0)
        {
            // Only then: reading /proc costs time a plain cold-start run should not pay.
            s_mainEntered = SinceBootSeconds();
            s_cpuAtMain = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        }
        string net = "cifar";
        string? weightsPath = null, savePath = null;
        bool info = false, phases = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--weights" when i + 1 < args.Length: weightsPath = args[++i]; break;
                case "--save" when i + 1 < args.Length: savePath = args[++i]; break;
                case "--info": info = true; break;
                case "--phases": phases = true; break;
                case "cifar" or "sample": net = args[i]; break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: FusedNet.ColdStart [cifar|sample] [--weights FILE] [--save FILE] [--info] [--phases]");
                    return 2;
            }
        }

        try
        {
            float[] logits = net == "cifar"
                ? Run(BenchCifarNet.ExpectedWeights, w => new BenchCifarNet(w), BenchCifarNet.InputLength, BenchCifarNet.OutputLength, weightsPath, savePath)
                : Run(SampleCifarNet.ExpectedWeights, w => new SampleCifarNet(w), SampleCifarNet.InputLength, SampleCifarNet.OutputLength, weightsPath, savePath);
            Console.WriteLine(string.Join(" ", Array.ConvertAll(logits, v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }

        if (info)
        {
            // Straight from the runtime, independent of the generated members: what a NativeAOT binary
            // compiled for a given instruction set really accelerates.
            Console.WriteLine($"Vector128 {Vector128.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, " +
                $"Vector512 {Vector512.IsHardwareAccelerated}; AVX2 {Avx2.IsSupported}, FMA {Fma.IsSupported}, AVX-512F {Avx512F.IsSupported}");
        }
        if (phases)
        {
            // Process start time from the kernel (/proc/self/stat field 22, in clock ticks since boot), read
            // only now so that reading it costs nothing above.
            double toMain = (s_mainEntered - ProcessStartSeconds()) * 1e3;
            Console.WriteLine($"wall: process start -> Main {toMain:F0} ms (10 ms ticks), weights + construction {s_constructMs:F2} ms, first Forward {s_forwardMs:F2} ms");
            Console.WriteLine($"CPU (user + sys): up to Main {s_cpuAtMain:F1} ms, weights + construction {s_constructCpuMs:F1} ms, first Forward {s_forwardCpuMs:F1} ms");
        }
        return 0;
    }

    private static double s_mainEntered, s_cpuAtMain, s_constructMs, s_forwardMs, s_constructCpuMs, s_forwardCpuMs;

    private static double SinceBootSeconds() =>
        double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);

    private static double ProcessStartSeconds()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from 3 on
        return long.Parse(fields[22 - 3], CultureInfo.InvariantCulture) / 100.0; // USER_HZ = 100 on Linux
    }

    private static float[] Run(IReadOnlyList<WeightInfo> expected, Func<IWeightSource, IFusedNetwork> create,
        int inputLength, int outputLength, string? weightsPath, string? savePath)
    {
        long t0 = Stopwatch.GetTimestamp();
        double c0 = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        IFusedNetwork network;
        if (weightsPath is not null)
        {
            using SafetensorsFile file = SafetensorsFile.Open(weightsPath);
            network = create(file);
        }
        else
        {
            InMemoryWeights weights = RandomWeights.Create(expected, WeightSeed);
            if (savePath is not null) SafetensorsFile.Save(savePath, weights);
            network = create(weights);
        }
        s_constructMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        s_constructCpuMs = Environment.CpuUsage.TotalTime.TotalMilliseconds - c0;
        float[] input = RandomWeights.RandomInput(inputLength, InputSeed);
        float[] output = new float[outputLength];
        long t1 = Stopwatch.GetTimestamp();
        double c1 = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        network.Forward(input, output);
        s_forwardMs = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
        s_forwardCpuMs = Environment.CpuUsage.TotalTime.TotalMilliseconds - c1;
        return output;
    }
}
