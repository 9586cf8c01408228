// TEMPORARY: checks ORT against the scalar reference before the generator exists. Deleted at the end.
using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FusedNet.Bench.Checks;
using FusedNet.Bench.Networks;
using FusedNet.Bench.OnnxRuntime;
using FusedNet.Bench.Specs;

namespace FusedNet.Bench
{
    internal static class PendingOnnxCheck
    {
        [ModuleInitializer]
        internal static void Run()
        {
            if (Environment.GetEnvironmentVariable("PENDING_ONNX_CHECK") != "1") return;
            foreach (var bench in BenchNetworks.All)
            {
                var sw = Stopwatch.StartNew();
                var weights = RandomWeights.Create(bench.ExpectedWeights, 42);
                var spec = bench.Spec;
                byte[] model = spec.ToOnnxModel(bench.Key, weights);
                using var ort = new OrtNetworkSession(model, NetworkSpec.OnnxInputName, LayerSpec.BatchDims(spec.InputShape), NetworkSpec.OnnxOutputName, LayerSpec.BatchDims(spec.OutputShape));
                var input = RandomWeights.RandomInput(spec.InputShape.Length, 7);
                input.CopyTo(ort.Input, 0);
                ort.Run();
                var reference = spec.EvaluateReference(input, weights);
                Console.WriteLine($"{bench.Key}: model {model.Length} B, {OutputComparison.Compare(reference, ort.Output)}, {sw.ElapsedMilliseconds} ms, out[0..3]={ort.Output[0]},{ort.Output[1]},{ort.Output[2]}");
                long t0 = GC.GetAllocatedBytesForCurrentThread();
                var t = Stopwatch.StartNew();
                for (int i = 0; i < 20; i++) ort.Run();
                Console.WriteLine($"   20 runs: {t.Elapsed.TotalMilliseconds / 20 * 1000:F1} us each, allocated {GC.GetAllocatedBytesForCurrentThread() - t0} B");
            }
            Environment.Exit(0);
        }
    }
}
