using System;
using FusedNet.Bench.Networks;
using FusedNet.Onnx;
using FusedNet.Onnx.Specs;

namespace FusedNet.Bench.Checks
{
    /// <summary>
    /// Everything one bench network needs, built once: seeded weights, the generated FusedNet network,
    /// the equivalent ONNX Runtime session over the same weights, a seeded input and output buffers.
    /// Shared by the benchmarks (GlobalSetup) and the --check mode so both measure and check the same thing.
    /// </summary>
    internal sealed class PreparedNetwork : IDisposable
    {
        public const int WeightSeed = 42;
        public const int InputSeed = 7;

        private PreparedNetwork(BenchNetwork bench, IWeightSource weights, IFusedNetwork network, OrtNetworkSession ort, float[] input)
        {
            Bench = bench;
            Weights = weights;
            Network = network;
            Ort = ort;
            Input = input;
            FusedOutput = new float[network.OutputLength];
            UnfusedOutput = new float[network.OutputLength];
        }

        public BenchNetwork Bench { get; }
        /// <summary>Kept only for the scalar reference of --check; the network itself holds no reference to it.</summary>
        public IWeightSource Weights { get; }
        public IFusedNetwork Network { get; }
        public OrtNetworkSession Ort { get; }
        public float[] Input { get; }
        public float[] FusedOutput { get; }
        public float[] UnfusedOutput { get; }

        /// <summary>Builds both engines; <paramref name="threads"/> is FusedNet's NetworkOptions.Threads and ORT's IntraOpNumThreads.</summary>
        public static PreparedNetwork Create(BenchNetwork bench, int threads = 1)
        {
            IWeightSource weights = RandomWeights.Create(bench.ExpectedWeights, WeightSeed);
            IFusedNetwork network = bench.Create(weights, threads);
            NetworkSpec spec = bench.Spec;
            byte[] model = spec.ToOnnxModel(bench.Key, weights);
            var ort = new OrtNetworkSession(model,
                NetworkSpec.OnnxInputName, LayerSpec.BatchDims(spec.InputShape),
                NetworkSpec.OnnxOutputName, LayerSpec.BatchDims(spec.OutputShape), intraOpThreads: threads);
            float[] input = RandomWeights.RandomInput(network.InputLength, InputSeed);
            input.CopyTo(ort.Input);
            return new PreparedNetwork(bench, weights, network, ort, input);
        }

        /// <summary>Runs fused, unfused and ORT once each, filling the three outputs.</summary>
        public void RunAll()
        {
            Network.Forward(Input, FusedOutput);
            Network.ForwardUnfused(Input, UnfusedOutput);
            Ort.Run();
        }

        /// <summary>Throws unless both FusedNet paths match ORT within <see cref="OutputComparison.Tolerance"/>.</summary>
        public void VerifyAgainstOnnxRuntime()
        {
            RunAll();
            OutputComparison fused = OutputComparison.Compare(Ort.Output, FusedOutput);
            OutputComparison unfused = OutputComparison.Compare(Ort.Output, UnfusedOutput);
            if (!fused.IsWithinTolerance || !unfused.IsWithinTolerance)
                throw new InvalidOperationException(
                    $"'{Bench.Key}': FusedNet and ONNX Runtime disagree beyond {OutputComparison.Tolerance:E0}·max(1,|x|); " +
                    $"timing them would compare different computations.\n  fused vs ORT:   {fused}\n  unfused vs ORT: {unfused}\n" +
                    "  Run with --check to see which side the scalar reference agrees with.");
        }

        public void Dispose()
        {
            Network.StopThreads();
            Ort.Dispose();
        }
    }
}
