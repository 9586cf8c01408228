// The consumer program of .ci/package-check.sh: copied into a fresh `dotnet new console` project outside the
// repository that references the FusedNet NuGet package only. It declares a small network with attributes, builds
// it from seeded random weights (also through an F32 safetensors round trip), runs the fused and unfused
// paths, and exits non-zero unless every output is finite and the paths agree within 1e-4·max(1, |unfused|)
// (the tolerance DESIGN.md sets for fused vs reference: the paths differ only by float rounding order and folding).
// It prints every output with round-trip precision ("output <row> v0 v1 ...") so the script can compare the
// NativeAOT binary's outputs with the JIT run's.
using System;
using System.Globalization;
using System.IO;
using FusedNet;

[FusedNetwork(3, 16, 16)]
[Conv2d(16, 3, Padding = 1)]
[BatchNorm2d]
[ReLU]
[MaxPool2d(2)]
[Conv2d(32, 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2d(Epsilon = 1e-3f)]
[LeakyReLU(0.1f)]
[AvgPool2d(2)]
[Flatten]
[Linear(10)]
public partial class ConsumerNet;

public static class Program
{
    private const int Seed = 7;
    private const int Batch = 3;

    public static int Main()
    {
        int failures = 0;
        Console.WriteLine($"ConsumerNet: input {ConsumerNet.InputLength} floats, output {ConsumerNet.OutputLength}, " +
                          $"{ConsumerNet.Layers.Count} layers, {ConsumerNet.ExpectedWeights.Count} tensors");

        InMemoryWeights random = RandomWeights.Create(ConsumerNet.ExpectedWeights, Seed);
        var net = new ConsumerNet(random);

        // The same weights through a safetensors file, as saved from PyTorch: F32 must give identical outputs.
        string path = Path.Combine(Path.GetTempPath(), $"fusednet-consumer-{Environment.ProcessId}.safetensors");
        ConsumerNet fromFile;
        try
        {
            SafetensorsFile.Save(path, random);
            using (var file = SafetensorsFile.Open(path)) fromFile = new ConsumerNet(file);
        }
        finally
        {
            File.Delete(path);
        }

        float[] input = RandomWeights.RandomInput(ConsumerNet.InputLength * Batch, Seed + 1);
        float[] fused = new float[ConsumerNet.OutputLength];
        float[] unfused = new float[ConsumerNet.OutputLength];
        float[] loaded = new float[ConsumerNet.OutputLength];
        ReadOnlySpan<float> first = input.AsSpan(0, ConsumerNet.InputLength);
        net.Forward(first, fused);
        net.ForwardUnfused(first, unfused);
        fromFile.Forward(first, loaded);

        float[] batchFused = new float[ConsumerNet.OutputLength * Batch];
        float[] batchUnfused = new float[ConsumerNet.OutputLength * Batch];
        net.Forward(input, batchFused, Batch);
        net.ForwardUnfused(input, batchUnfused, Batch);

        Print("fused", fused);
        Print("unfused", unfused);
        Print("batch-fused", batchFused);
        Print("batch-unfused", batchUnfused);

        failures += Check("fused vs unfused", fused, unfused, 1e-4);
        failures += Check("batch fused vs batch unfused", batchFused, batchUnfused, 1e-4);
        failures += Check("batch sample 0 vs single fused", batchFused.AsSpan(0, ConsumerNet.OutputLength).ToArray(), fused, 1e-4);
        failures += Check("safetensors-loaded vs in-memory (fused)", loaded, fused, 0);

        // Wrong lengths are an ArgumentException naming the lengths (DESIGN §6), also in the packaged build.
        try
        {
            net.Forward(new float[ConsumerNet.InputLength - 1], fused);
            Console.WriteLine("FAIL: a short input was accepted");
            failures++;
        }
        catch (ArgumentException e)
        {
            Console.WriteLine($"short input rejected: {e.Message}");
        }

        if (Array.TrueForAll(fused, v => v == 0f))
        {
            Console.WriteLine("FAIL: every output is zero");
            failures++;
        }

        Console.WriteLine(failures == 0 ? "check: ok" : $"check: {failures} failure(s)");
        return failures == 0 ? 0 : 1;
    }

    private static void Print(string row, float[] values)
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++) parts[i] = values[i].ToString("R", CultureInfo.InvariantCulture);
        Console.WriteLine($"output {row} {string.Join(' ', parts)}");
    }

    // |actual − expected| ≤ relative·max(1, |expected|) and both finite; relative = 0 demands equality.
    private static int Check(string what, float[] actual, float[] expected, double relative)
    {
        if (actual.Length != expected.Length)
        {
            Console.WriteLine($"FAIL {what}: {actual.Length} vs {expected.Length} values");
            return 1;
        }
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (!float.IsFinite(actual[i]) || !float.IsFinite(expected[i]))
            {
                Console.WriteLine($"FAIL {what}: non-finite value at {i}: {actual[i]} vs {expected[i]}");
                return 1;
            }
            double difference = Math.Abs((double)actual[i] - expected[i]);
            if (difference > relative * Math.Max(1.0, Math.Abs((double)expected[i])))
            {
                Console.WriteLine($"FAIL {what}: at {i}: {actual[i]:R} vs {expected[i]:R} (|difference| {difference:E2})");
                return 1;
            }
            worst = Math.Max(worst, difference);
        }
        Console.WriteLine($"{what}: max |difference| = {worst:E2} (allowed {relative:G}·max(1, |x|))");
        return 0;
    }
}
