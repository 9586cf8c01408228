using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace FusedNet.Tests.Reference
{
    /// <summary>
    /// The libtorch fixtures of tests/fixtures (see its README): each network as a <see cref="RefNetwork"/>
    /// and the paths of its files.
    /// </summary>
    public static class FixtureNetworks
    {
        /// <summary>Fixture names, e.g. "seq_basic"; with <see cref="DtypeSuffixes"/> they name every file.</summary>
        public static IReadOnlyList<string> Names { get; } = ["seq_basic", "seq_acts", "seq_groups", "seq_standalone_bn"];

        /// <summary>Weight-file variants: "" (F32), ".f16", ".bf16".</summary>
        public static IReadOnlyList<string> DtypeSuffixes { get; } = ["", ".f16", ".bf16"];

        /// <summary>Every (network, dtype suffix) pair, as xunit theory data for the fixture tests.</summary>
        public static TheoryData<string, string> Variants()
        {
            var data = new TheoryData<string, string>();
            foreach (string name in Names)
            foreach (string dtype in DtypeSuffixes)
                data.Add(name, dtype);
            return data;
        }

        /// <summary>Samples in every fixture input.</summary>
        public const int BatchSize = 2;

        public static RefNetwork Get(string name) => name switch
        {
            "seq_basic" => SeqBasic,
            "seq_acts" => SeqActs,
            "seq_groups" => SeqGroups,
            "seq_standalone_bn" => SeqStandaloneBn,
            _ => throw new ArgumentException($"Unknown fixture '{name}'.", nameof(name)),
        };

        public static RefNetwork SeqBasic { get; } = new(3, 16, 16,
        [
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefReLU(),
            new RefConv2d(16, 3) { Stride = 2, Padding = 1, Bias = false }, new RefBatchNorm2d(), new RefReLU6(),
            new RefMaxPool2d(2),
            new RefConv2d(16, 1), new RefBatchNorm2d(), new RefLeakyReLU(0.1f),
            new RefGlobalAvgPool2d(), new RefFlatten(), new RefLinear(10),
        ]);

        public static RefNetwork SeqActs { get; } = new(4, 12, 12,
        [
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefSigmoid(),
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefTanh(),
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefSiLU(),
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefGELU(),
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefHardswish(),
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefHardsigmoid(),
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefELU(0.7f),
            new RefConv2d(8, 3) { Padding = 1 }, new RefBatchNorm2d(), new RefGELU { Approximate = true },
            new RefFlatten(),
            new RefLinear(6), new RefBatchNorm1d(), new RefReLU(),
            new RefLinear(3),
        ]);

        public static RefNetwork SeqGroups { get; } = new(8, 15, 13,
        [
            new RefConv2d(8, 3) { Padding = 1, Groups = 8 }, new RefBatchNorm2d(), new RefReLU(),
            new RefConv2d(12, 3) { KernelWidth = 5, Stride = 2, Padding = 2 }, new RefBatchNorm2d(), new RefReLU(),
            new RefConv2d(12, 3) { Padding = 2, Dilation = 2, Groups = 3 }, new RefBatchNorm2d(), new RefReLU(),
            new RefAvgPool2d(3) { Stride = 2, Padding = 1 },
            new RefDropout(0.3f), new RefFlatten(), new RefLinear(5),
        ]);

        public static RefNetwork SeqStandaloneBn { get; } = new(2, 9, 9,
        [
            new RefBatchNorm2d(),
            new RefConv2d(4, 2) { Stride = 2 },
            new RefSigmoid(), new RefFlatten(),
            new RefLinear(4) { Bias = false },
        ]);

        /// <summary>The fixtures folder (one locator for the whole suite: <see cref="Weights.Fixtures.Directory"/>).</summary>
        public static string Directory => Weights.Fixtures.Directory;

        public static string WeightsPath(string name, string dtypeSuffix) => Path.Combine(Directory, name + dtypeSuffix + ".safetensors");

        public static string ExpectedPath(string name, string dtypeSuffix) => Path.Combine(Directory, name + dtypeSuffix + ".expected.bin");

        public static string InputPath(string name) => Path.Combine(Directory, name + ".input.bin");

        /// <summary>Reads a headerless little-endian float32 file.</summary>
        public static float[] ReadFloats(string path)
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (bytes.Length % 4 != 0) throw new InvalidDataException($"{path}: {bytes.Length} bytes is not a whole number of float32 values.");
            var values = new float[bytes.Length / 4];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
            return values;
        }
    }
}
