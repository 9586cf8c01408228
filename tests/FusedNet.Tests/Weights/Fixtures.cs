using System;
using System.Collections.Generic;
using System.IO;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    /// <summary>
    /// The libtorch fixtures in tests/fixtures (see its README.md): where they are, and the tensors each
    /// network's state_dict holds, transcribed from the README.
    /// </summary>
    internal static class Fixtures
    {
        private static readonly Lazy<string> LazyDirectory = new(FindDirectory);

        public static string Directory => LazyDirectory.Value;

        public static string PathOf(string fileName) => Path.Combine(Directory, fileName);

        public static readonly string[] NetworkNames = { "seq_basic", "seq_acts", "seq_groups", "seq_standalone_bn" };

        /// <summary>File-name infix of each dtype variant: NAME.safetensors, NAME.f16.safetensors, NAME.bf16.safetensors.</summary>
        public static string WeightFile(string network, TensorDataType dataType) => dataType switch
        {
            TensorDataType.F32 => $"{network}.safetensors",
            TensorDataType.F16 => $"{network}.f16.safetensors",
            TensorDataType.BF16 => $"{network}.bf16.safetensors",
            _ => throw new ArgumentOutOfRangeException(nameof(dataType)),
        };

        /// <summary>
        /// tests/fixtures of the repository, copied beside the test binaries by the project file, so a fresh clone
        /// has everything its tests read.
        /// </summary>
        private static string FindDirectory()
        {
            string directory = Path.Combine(AppContext.BaseDirectory, "fixtures");
            if (!System.IO.Directory.Exists(directory) || !File.Exists(Path.Combine(directory, "README.md")))
                throw new DirectoryNotFoundException(
                    $"The fixtures were not copied beside the test binaries ({directory}). They live in tests/fixtures; " +
                    "tests/FusedNet.Tests.csproj copies them on build.");
            return directory;
        }

        /// <summary>Float tensors of each fixture network (name -> shape), as the README lists them.</summary>
        public static IReadOnlyDictionary<string, int[]> FloatTensors(string network)
        {
            var tensors = new Dictionary<string, int[]>();
            void Conv(string layer, int[] weightShape, bool bias = true)
            {
                tensors[$"{layer}.weight"] = weightShape;
                if (bias) tensors[$"{layer}.bias"] = new[] { weightShape[0] };
            }
            void BatchNorm(string layer, int channels)
            {
                foreach (string part in new[] { "weight", "bias", "running_mean", "running_var" })
                    tensors[$"{layer}.{part}"] = new[] { channels };
            }

            switch (network)
            {
                case "seq_basic":
                    Conv("0", new[] { 8, 3, 3, 3 }); BatchNorm("1", 8);
                    Conv("3", new[] { 16, 8, 3, 3 }, bias: false); BatchNorm("4", 16);
                    Conv("7", new[] { 16, 16, 1, 1 }); BatchNorm("8", 16);
                    Conv("12", new[] { 10, 16 });
                    break;
                case "seq_acts":
                    Conv("0", new[] { 8, 4, 3, 3 }); BatchNorm("1", 8);
                    foreach (int layer in new[] { 3, 6, 9, 12, 15, 18, 21 })
                    {
                        Conv(layer.ToString(), new[] { 8, 8, 3, 3 });
                        BatchNorm((layer + 1).ToString(), 8);
                    }
                    Conv("25", new[] { 6, 1152 }); BatchNorm("26", 6);
                    Conv("28", new[] { 3, 6 });
                    break;
                case "seq_groups":
                    Conv("0", new[] { 8, 1, 3, 3 }); BatchNorm("1", 8);
                    Conv("3", new[] { 12, 8, 3, 5 }); BatchNorm("4", 12);
                    Conv("6", new[] { 12, 4, 3, 3 }); BatchNorm("7", 12);
                    Conv("12", new[] { 5, 240 });
                    break;
                case "seq_standalone_bn":
                    BatchNorm("0", 2);
                    Conv("1", new[] { 4, 2, 2, 2 });
                    Conv("4", new[] { 4, 64 }, bias: false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(network));
            }
            return tensors;
        }

        /// <summary>BatchNorm layers of each network: each also stores an I64 num_batches_tracked of shape [].</summary>
        public static IEnumerable<string> BatchNormLayers(string network)
        {
            foreach (string name in FloatTensors(network).Keys)
            {
                if (name.EndsWith(".running_var", StringComparison.Ordinal))
                    yield return name[..name.IndexOf('.')];
            }
        }
    }
}
