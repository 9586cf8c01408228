using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FusedNet;
using FusedNet.Internal;

namespace FusedNet.Tests.Weights
{
    public class WeightLoaderTests
    {
        /// <summary>Conv(3→4, 3x3, bias) + BatchNorm2d(4) + Linear(4→2) weights.</summary>
        private static readonly WeightInfo[] Expected =
        {
            new("0.weight", WeightRole.ConvWeight, "0", 4, 3, 3, 3),
            new("0.bias", WeightRole.ConvBias, "0", 4),
            new("1.weight", WeightRole.BatchNormWeight, "1", 4),
            new("1.bias", WeightRole.BatchNormBias, "1", 4),
            new("1.running_mean", WeightRole.BatchNormRunningMean, "1", 4),
            new("1.running_var", WeightRole.BatchNormRunningVar, "1", 4),
            new("3.weight", WeightRole.LinearWeight, "3", 2, 4),
            new("3.bias", WeightRole.LinearBias, "3", 2),
        };

        [Fact]
        public void Loads_every_expected_tensor_in_order()
        {
            InMemoryWeights weights = RandomWeights.Create(Expected, seed: 1);
            weights.Add("1.num_batches_tracked", new[] { 5f }); // Present but not expected: ignored.

            float[][] loaded = WeightLoader.Load(weights, Expected, "TinyNet");

            Assert.Equal(Expected.Length, loaded.Length);
            for (int i = 0; i < Expected.Length; i++)
                Assert.Equal(weights.GetValues(Expected[i].Name).ToArray(), loaded[i]);
        }

        [Fact]
        public void Loads_a_real_fixture_in_F16_ignoring_num_batches_tracked()
        {
            using var file = SafetensorsFile.Open(Fixtures.PathOf("seq_standalone_bn.f16.safetensors"));
            WeightInfo[] expected =
            {
                new("0.weight", WeightRole.BatchNormWeight, "0", 2),
                new("0.bias", WeightRole.BatchNormBias, "0", 2),
                new("0.running_mean", WeightRole.BatchNormRunningMean, "0", 2),
                new("0.running_var", WeightRole.BatchNormRunningVar, "0", 2),
                new("1.weight", WeightRole.ConvWeight, "1", 4, 2, 2, 2),
                new("1.bias", WeightRole.ConvBias, "1", 4),
                new("4.weight", WeightRole.LinearWeight, "4", 4, 64),
            };

            float[][] loaded = WeightLoader.Load(file, expected, "SeqStandaloneBn");

            Assert.Equal(expected.Select(e => e.ElementCount), loaded.Select(t => t.Length));
            Assert.All(loaded[3], v => Assert.InRange(v, 0.29f, 2.01f)); // README: running_var in [0.3, 2.0] (F16-rounded).
        }

        [Fact]
        public void Null_source_throws_ArgumentNullException()
        {
            Assert.Throws<ArgumentNullException>(() => WeightLoader.Load(null!, Expected, "TinyNet"));
        }

        [Fact]
        public void All_missing_tensors_are_listed_at_once_with_their_shapes()
        {
            InMemoryWeights weights = RandomWeights.Create(Expected, seed: 1);
            weights.Remove("0.bias");
            weights.Remove("1.running_var");
            weights.Remove("3.weight");

            string message = LoadFailure(weights);

            Assert.Contains("missing tensors (3): '0.bias' [4], '1.running_var' [4], '3.weight' [2, 4]", message);
            Assert.Contains("(1 problem)", message);
        }

        [Fact]
        public void Missing_tensors_hint_at_names_the_source_has_instead()
        {
            // A model wrapped in another module: every name carries a "features." prefix.
            InMemoryWeights weights = new();
            foreach (WeightInfo info in Expected)
                weights.Add("features." + info.Name, new float[info.ElementCount], info.Shape.ToArray());
            weights.Add("features.1.num_batches_tracked", new[] { 0f });

            string message = LoadFailure(weights);

            Assert.Contains("missing tensors (8)", message);
            Assert.Contains("the source has 8 tensors the network does not expect, e.g. 'features.0.weight'", message);
            Assert.DoesNotContain("num_batches_tracked", message);
        }

        [Fact]
        public void Wrong_shape_names_tensor_layer_and_both_shapes()
        {
            InMemoryWeights weights = RandomWeights.Create(Expected, seed: 1);
            weights.Set("0.weight", new float[4 * 3 * 3 * 5], 4, 3, 3, 5);
            weights.Set("0.bias", new float[4], 4, 1); // Same element count, different rank: still wrong.

            string message = LoadFailure(weights);

            Assert.Contains("tensor '0.weight' of layer '0': expected shape [4, 3, 3, 3], actual [4, 3, 3, 5]", message);
            Assert.Contains("tensor '0.bias' of layer '0': expected shape [4], actual [4, 1]", message);
        }

        [Fact]
        public void Non_float_dtype_is_named()
        {
            // An I64 tensor where a float one is expected: only a file can hold it.
            string header = "{\"w\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
            using var file = SafetensorsTestFiles.Open(SafetensorsTestFiles.Build(header, new byte[16]));
            WeightInfo[] expected = { new("w", WeightRole.LinearBias, "5", 2) };

            var exception = Assert.Throws<InvalidDataException>(() => WeightLoader.Load(file, expected, "TinyNet"));

            Assert.Contains("tensor 'w' of layer '5': expected a float tensor (F32, F16 or BF16), actual dtype I64", exception.Message);
            Assert.Contains("crafted.safetensors", exception.Message);
        }

        [Fact]
        public void Non_finite_value_is_named_with_its_flat_index()
        {
            InMemoryWeights weights = RandomWeights.Create(Expected, seed: 1);
            float[] conv = weights.GetValues("0.weight").ToArray();
            conv[17] = float.NaN;
            conv[30] = float.PositiveInfinity;
            weights.Set("0.weight", conv, 4, 3, 3, 3);
            weights.Set("3.bias", new[] { 0f, float.NegativeInfinity }, 2);

            string message = LoadFailure(weights);

            Assert.Contains("tensor '0.weight' of layer '0': expected finite values, actual NaN at flat index 17 (2 non-finite values in all)", message);
            Assert.Contains("tensor '3.bias' of layer '3': expected finite values, actual -Infinity at flat index 1", message);
        }

        [Fact]
        public void Negative_running_variance_is_named()
        {
            InMemoryWeights weights = RandomWeights.Create(Expected, seed: 1);
            weights.Set("1.running_var", new[] { 1f, 0f, -0.25f, 2f }, 4);
            weights.Set("1.running_mean", new[] { -1f, -1f, -1f, -1f }, 4); // Negative means are fine.

            string message = LoadFailure(weights);

            Assert.Contains("tensor '1.running_var' of layer '1': a running variance must not be negative, actual -0.25 at flat index 2", message);
            Assert.DoesNotContain("running_mean", message);
        }

        [Fact]
        public void Every_kind_of_problem_is_reported_in_one_exception_that_starts_with_the_network_name()
        {
            InMemoryWeights weights = RandomWeights.Create(Expected, seed: 1);
            weights.Remove("0.bias");
            weights.Set("3.weight", new float[8], 4, 2);
            weights.Set("1.weight", new[] { 1f, float.NaN, 1f, 1f }, 4);
            weights.Set("1.running_var", new[] { -1f, 1f, 1f, 1f }, 4);

            string message = LoadFailure(weights);

            Assert.StartsWith("TinyNet: cannot load weights from in-memory weights", message);
            Assert.Contains("(4 problems)", message);
            string[] lines = message.Split('\n');
            Assert.Equal(5, lines.Length);
            Assert.Contains("missing tensor: '0.bias' [4]", lines[1]);
            Assert.Contains("'1.weight'", lines[2]);
            Assert.Contains("'1.running_var'", lines[3]);
            Assert.Contains("'3.weight'", lines[4]);
        }

        private static string LoadFailure(IWeightSource weights) =>
            Assert.Throws<InvalidDataException>(() => WeightLoader.Load(weights, Expected, "TinyNet")).Message;
    }
}
