using System;
using System.Globalization;
using System.IO;
using System.Linq;
using FusedNet.Bench.Checks;
using FusedNet.Bench.Networks;
using FusedNet.Onnx.Specs;
using Microsoft.ML.OnnxRuntime;

namespace FusedNet.Bench.OnnxRuntime
{
    /// <summary>
    /// The ONNX Runtime side of the cold-start measurement (bench/README.md, "Cold start"; bench/coldstart.sh):
    ///   --write-onnx NET FILE   writes the bench network NET (tiny, cifar, mobile, wide; resnet18, mobilenetv2) as an .onnx file, with
    ///                           the same seeded weights as the benchmarks (seed 42)
    ///   --ort-cold-start FILE   loads FILE into an ONNX Runtime session set up as in the benchmarks (every
    ///                           graph optimisation, one thread), runs one inference on the bench input (seed 7),
    ///                           prints the outputs and returns: the process is timed from outside
    /// Both run before any BenchmarkDotNet code is touched, so the cold-start process loads only ORT.
    /// </summary>
    internal static class OrtColdStart
    {
        public static int WriteOnnx(string netName, string path)
        {
            if (!Enum.TryParse(netName, ignoreCase: true, out BenchNet id) || !Enum.IsDefined(id))
            {
                Console.Error.WriteLine($"unknown network '{netName}' ({string.Join(", ", BenchNetworks.All.Select(n => n.Key))})");
                return 2;
            }
            BenchNetwork bench = BenchNetworks.Get(id);
            IWeightSource weights = RandomWeights.Create(bench.ExpectedWeights, PreparedNetwork.WeightSeed);
            File.WriteAllBytes(path, bench.Spec.ToOnnxModel(bench.Key, weights));
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes): {bench.Key}, weights seed {PreparedNetwork.WeightSeed}");
            return 0;
        }

        public static int Run(string path)
        {
            // What an application using ORT from C# typically does: a session over the model file with the
            // bench's options, managed input/output arrays wrapped as OrtValues, one Run.
            using var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
            };
            using var session = new InferenceSession(path, options);
            long[] inputDims = Array.ConvertAll(session.InputMetadata[NetworkSpec.OnnxInputName].Dimensions, d => (long)d);
            long[] outputDims = Array.ConvertAll(session.OutputMetadata[NetworkSpec.OnnxOutputName].Dimensions, d => (long)d);
            float[] input = RandomWeights.RandomInput(checked((int)Product(inputDims)), PreparedNetwork.InputSeed);
            float[] output = new float[Product(outputDims)];
            using var inputValue = OrtValue.CreateTensorValueFromMemory(input, inputDims);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(output, outputDims);
            using var runOptions = new RunOptions();
            session.Run(runOptions, new[] { NetworkSpec.OnnxInputName }, new[] { inputValue },
                new[] { NetworkSpec.OnnxOutputName }, new[] { outputValue });
            Console.WriteLine(string.Join(" ", Array.ConvertAll(output, v => v.ToString("R", CultureInfo.InvariantCulture))));
            return 0;
        }

        private static long Product(long[] dims)
        {
            long count = 1;
            foreach (long d in dims) count *= d;
            return count;
        }
    }
}
