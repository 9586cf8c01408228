using System;
using System.Diagnostics;
using System.IO;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    /// <summary>
    /// Damaged copies of a real file: the only acceptable outcomes are InvalidDataException or a file that
    /// opens and reads completely. Anything else (IndexOutOfRange, OutOfMemory, a hang) fails the test.
    /// </summary>
    public class SafetensorsFuzzTests
    {
        [Fact]
        public void Every_truncation_of_a_valid_file_is_rejected()
        {
            byte[] bytes = File.ReadAllBytes(Fixtures.PathOf("seq_standalone_bn.f16.safetensors"));
            var timer = Stopwatch.StartNew();
            // The last tensor ends at the end of the file, so every shorter prefix must fail.
            for (int length = 0; length < bytes.Length; length++)
            {
                byte[] truncated = bytes.AsSpan(0, length).ToArray();
                Assert.Throws<InvalidDataException>(() => SafetensorsFile.FromBytes(truncated, $"truncated-{length}").Dispose());
            }
            Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"took {timer.Elapsed}");
        }

        [Fact]
        public void Random_header_byte_flips_give_invalid_data_or_a_readable_file()
        {
            byte[] original = File.ReadAllBytes(Fixtures.PathOf("seq_standalone_bn.safetensors"));
            int headerEnd = 8 + (int)BitConverter.ToUInt64(original, 0);
            var random = new Random(20240607);
            var timer = Stopwatch.StartNew();
            int opened = 0, rejected = 0;

            for (int trial = 0; trial < 400; trial++)
            {
                byte[] damaged = (byte[])original.Clone();
                int flips = 1 + random.Next(3);
                for (int f = 0; f < flips; f++)
                {
                    // Mostly JSON bytes, sometimes the length prefix itself.
                    int position = random.Next(10) == 0 ? random.Next(8) : random.Next(8, headerEnd);
                    damaged[position] ^= (byte)(1 << random.Next(8));
                }

                SafetensorsFile file;
                try
                {
                    file = SafetensorsFile.FromBytes(damaged, $"trial-{trial}");
                }
                catch (InvalidDataException)
                {
                    rejected++;
                    continue;
                }
                using (file)
                {
                    ReadEveryFloatTensor(file);
                    opened++;
                }
            }

            Assert.True(timer.Elapsed < TimeSpan.FromSeconds(2), $"took {timer.Elapsed}");
            // Both outcomes occur (a flip inside a name keeps the file valid), so both paths were exercised.
            Assert.True(rejected > 100, $"rejected {rejected}");
            Assert.True(opened > 0, $"opened {opened}");
        }

        private static void ReadEveryFloatTensor(SafetensorsFile file)
        {
            foreach (string name in file.TensorNames)
            {
                Assert.True(file.TryGetTensorInfo(name, out TensorInfo info));
                if (info.IsFloatingPoint)
                    file.ReadFloat32(name, new float[info.ElementCount]);
            }
        }
    }
}
