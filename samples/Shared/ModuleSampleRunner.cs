using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using FusedNet;

namespace FusedNet.Samples;

/// <summary>What a module-form sample runs: the generated network's name, its expected weights, its constructor and its size.</summary>
internal sealed record SampleNetwork(string Name, IReadOnlyList<WeightInfo> ExpectedWeights, Func<IWeightSource, IFusedNetwork> Create,
    long MultiplyAccumulates);

/// <summary>
/// The body of the module-form samples (samples/ResNet18, samples/MobileNetV2; linked into both): builds the network from
/// seeded random weights (or a .safetensors file given as the first argument, e.g. the torchvision model's state_dict
/// saved with safetensors), runs the fused and unfused paths on the same image, and prints the logits, the largest
/// difference between the paths and the time per inference of each. `--save PATH` writes the random weights as
/// safetensors, to try the loading path.
/// </summary>
internal static class ModuleSampleRunner
{
    private const int Seed = 2024;
    private const int ClassesShown = 10;

    public static int RunSample(string[] args, SampleNetwork network)
    {
        try
        {
            return Run(args, network);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Run(string[] args, SampleNetwork network)
    {
        string? weightsPath = null, savePath = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--save" && i + 1 < args.Length) savePath = args[++i];
            else if (args[i] is "-h" or "--help")
            {
                Console.WriteLine($"usage: {network.Name} [weights.safetensors] [--save out.safetensors]");
                return 0;
            }
            else weightsPath = args[i];
        }

        IFusedNetwork net = CreateNetwork(network, weightsPath, savePath);
        PrintSummary(network, net);

        float[] image = RandomWeights.RandomInput(net.InputLength, Seed);
        float[] fused = new float[net.OutputLength];
        float[] unfused = new float[net.OutputLength];
        net.Forward(image, fused);
        net.ForwardUnfused(image, unfused);

        Console.WriteLine();
        Console.WriteLine($"class   fused logit   unfused logit   (first {ClassesShown} classes)");
        for (int k = 0; k < Math.Min(ClassesShown, net.OutputLength); k++)
            Console.WriteLine($"{k,5}   {fused[k],11:F6}   {unfused[k],13:F6}");
        Console.WriteLine($"predicted class: {ArgMax(fused)} (fused), {ArgMax(unfused)} (unfused)");
        Console.WriteLine($"max |fused - unfused| = {MaxDifference(fused, unfused):E2}");

        double fusedMicros = TimePerInference(() => net.Forward(image, fused));
        double unfusedMicros = TimePerInference(() => net.ForwardUnfused(image, unfused));
        long allocated = AllocatedBytes(() => net.Forward(image, fused)) + AllocatedBytes(() => net.ForwardUnfused(image, unfused));
        Console.WriteLine();
        VectorWidth width = net.VectorWidth;
        Console.WriteLine($"vector width: {width} ({(width.IsHardwareAccelerated() ? "hardware-accelerated" : "software")})");
        Console.WriteLine($"fused:   {fusedMicros,8:F1} µs per inference ({2.0 * network.MultiplyAccumulates / fusedMicros / 1e3:F1} GFLOP/s)");
        Console.WriteLine($"unfused: {unfusedMicros,8:F1} µs per inference ({2.0 * network.MultiplyAccumulates / unfusedMicros / 1e3:F1} GFLOP/s)");
        Console.WriteLine($"fusion speed-up: {unfusedMicros / fusedMicros:F2}x; bytes allocated by 200 inferences: {allocated}");
        Console.WriteLine("(single timings on a shared machine are noisy: see bench/ for BenchmarkDotNet numbers)");
        return 0;
    }

    private static IFusedNetwork CreateNetwork(SampleNetwork network, string? weightsPath, string? savePath)
    {
        if (weightsPath is not null)
        {
            Console.WriteLine($"weights: {weightsPath}");
            using SafetensorsFile file = SafetensorsFile.Open(weightsPath);
            return network.Create(file); // the file can be closed right away: the network keeps folded copies
        }
        Console.WriteLine($"weights: seeded random (Kaiming uniform, non-trivial BatchNorm statistics), seed {Seed}");
        InMemoryWeights weights = RandomWeights.Create(network.ExpectedWeights, Seed);
        if (savePath is not null)
        {
            SafetensorsFile.Save(savePath, weights);
            Console.WriteLine($"saved the random weights to {savePath}");
        }
        return network.Create(weights);
    }

    private static void PrintSummary(SampleNetwork network, IFusedNetwork net)
    {
        Console.WriteLine($"{network.Name}: input {net.InputShape}, output {net.OutputShape}, {network.MultiplyAccumulates:N0} multiply-accumulates");
        foreach (LayerInfo layer in net.Layers)
            Console.WriteLine($"  {layer.Name,-28} {layer.Description,-60} {layer.InputShape,-14} -> {layer.OutputShape}");
    }

    private static double TimePerInference(Action inference)
    {
        for (int i = 0; i < 5; i++) inference(); // warm up: tiered JIT, caches
        const int runs = 20;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++) inference();
        return watch.Elapsed.TotalMicroseconds / runs;
    }

    private static long AllocatedBytes(Action inference)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) inference();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static float MaxDifference(float[] a, float[] b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = MathF.Max(max, MathF.Abs(a[i] - b[i]));
        return max;
    }
}
