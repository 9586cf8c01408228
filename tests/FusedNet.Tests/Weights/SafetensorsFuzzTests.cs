using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    /// <summary>
    /// Damaged copies of valid files: the only acceptable outcomes are InvalidDataException (naming the file) or a
    /// file that opens and whose every float tensor reads back exactly the bytes its header entry points at.
    /// Anything else (IndexOutOfRange, OutOfMemory, a hang, a huge allocation) fails the test.
    /// </summary>
    public class SafetensorsFuzzTests
    {
        private const int MutationCount = 12_000;
        private const int Seed = 20261130;

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

        private enum Mutation
        {
            HeaderBitFlips,
            AnyByteOverwrite,
            Truncation,
            DigitChange,
            NumberReplacement,
            HeaderByteDeletion,
            HeaderByteInsertion,
            LengthFieldEdit,
            TrailingBytes,
            DataBitFlips,
        }

        [Fact]
        public void Seeded_mutations_give_invalid_data_or_a_file_that_reads_what_its_header_promises()
        {
            byte[][] originals = BaseFiles();
            var random = new Random(Seed);
            var outcomes = new Dictionary<Mutation, (int Opened, int Rejected)>();
            var timer = Stopwatch.StartNew();

            for (int trial = 0; trial < MutationCount; trial++)
            {
                byte[] original = originals[trial % originals.Length];
                var kind = (Mutation)(trial / originals.Length % Enum.GetValues<Mutation>().Length);
                byte[] damaged = Mutate(original, kind, random);
                string name = $"mutation-{trial}-{kind}";

                bool opened = OpenAndCheck(damaged, name, trial, kind);
                outcomes.TryGetValue(kind, out var counts);
                outcomes[kind] = opened ? (counts.Opened + 1, counts.Rejected) : (counts.Opened, counts.Rejected + 1);
            }

            timer.Stop();
            // About 3 s on a quiet 2-core machine; the bound leaves room for a loaded CI runner and still catches a hang.
            Assert.True(timer.Elapsed < TimeSpan.FromSeconds(30), $"{MutationCount} mutations took {timer.Elapsed}");
            string summary = string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value.Opened} opened/{o.Value.Rejected} rejected"));
            // Every kind ran and was rejected at least sometimes; data flips always keep the file valid, and
            // several other kinds (a digit in a name, metadata, padding) keep it valid too: both paths are exercised.
            Assert.Equal(Enum.GetValues<Mutation>().Length, outcomes.Count);
            foreach ((Mutation kind, var counts) in outcomes)
            {
                if (kind != Mutation.DataBitFlips)
                    Assert.True(counts.Rejected > 0, summary);
            }
            Assert.Equal(0, outcomes[Mutation.DataBitFlips].Rejected);
            Assert.True(outcomes.Values.Sum(c => c.Opened) > 1_500, summary);
        }

        /// <summary>True if the file opened (and read back correctly), false if rejected with InvalidDataException.</summary>
        private static bool OpenAndCheck(byte[] damaged, string name, int trial, Mutation kind)
        {
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            SafetensorsFile file;
            try
            {
                file = SafetensorsFile.FromBytes(damaged, name);
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(name, e.Message);
                return false;
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial} ({kind}): {e.GetType().Name} instead of InvalidDataException: {e}");
                throw;
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            // The header copy and its parse: a small multiple of the file, never the gigabytes a bad length could ask for.
            Assert.True(allocated < (1 << 20) + 32L * damaged.Length, $"trial {trial} ({kind}): opening allocated {allocated} bytes");
            using (file)
                CheckAgainstHeader(file, damaged, $"trial {trial} ({kind})");
            return true;
        }

        /// <summary>
        /// An independent reading of an accepted file: its header, parsed here with System.Text.Json, lists the
        /// same tensors in the same order, they tile the data section, and each float tensor reads back exactly
        /// the bytes its data_offsets point at, widened here without the library's code.
        /// </summary>
        private static void CheckAgainstHeader(SafetensorsFile file, byte[] bytes, string context)
        {
            int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            int dataStart = 8 + headerLength;
            using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
            var entries = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();
            Assert.Equal(entries.Select(e => e.Name), file.TensorNames);

            long covered = 0;
            foreach (var (begin, end) in entries.Select(e => Offsets(e.Value)).OrderBy(o => o.Begin).ThenBy(o => o.End))
            {
                Assert.True(begin == covered, $"{context}: accepted a file whose tensors do not tile the data section");
                covered = end;
            }
            Assert.True(covered == bytes.Length - dataStart, $"{context}: accepted a file with unused data bytes");

            foreach (JsonProperty entry in entries)
            {
                Assert.True(file.TryGetTensorInfo(entry.Name, out TensorInfo info));
                string dtype = entry.Value.GetProperty("dtype").GetString()!;
                Assert.Equal(dtype, info.DataTypeName);
                Assert.Equal(entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), info.Shape);
                if (!info.IsFloatingPoint)
                    continue;

                (long begin, long end) = Offsets(entry.Value);
                ReadOnlySpan<byte> raw = bytes.AsSpan(dataStart + (int)begin, (int)(end - begin));
                var actual = new float[info.ElementCount];
                file.ReadFloat32(entry.Name, actual);
                for (int i = 0; i < actual.Length; i++)
                {
                    uint expectedBits = dtype switch
                    {
                        "F32" => BinaryPrimitives.ReadUInt32LittleEndian(raw[(4 * i)..]),
                        "BF16" => (uint)BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16,
                        _ => BitConverter.SingleToUInt32Bits((float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..])),
                    };
                    uint actualBits = BitConverter.SingleToUInt32Bits(actual[i]);
                    bool bothNaN = float.IsNaN(actual[i]) && float.IsNaN(BitConverter.UInt32BitsToSingle(expectedBits));
                    Assert.True(actualBits == expectedBits || bothNaN,
                        $"{context}: tensor '{entry.Name}' element {i} is 0x{actualBits:X8}, the file holds 0x{expectedBits:X8}");
                }
            }
        }

        private static (long Begin, long End) Offsets(JsonElement entry)
        {
            JsonElement offsets = entry.GetProperty("data_offsets");
            return (offsets[0].GetInt64(), offsets[1].GetInt64());
        }

        /// <summary>
        /// Real files of each dtype (F32, F16, BF16; with I64 num_batches_tracked) and a crafted one with metadata,
        /// zero-size tensors and unsorted, unaligned entries.
        /// </summary>
        private static byte[][] BaseFiles()
        {
            var files = new List<byte[]>
            {
                File.ReadAllBytes(Fixtures.PathOf("seq_standalone_bn.safetensors")),
                File.ReadAllBytes(Fixtures.PathOf("seq_standalone_bn.f16.safetensors")),
                File.ReadAllBytes(Fixtures.PathOf("seq_standalone_bn.bf16.safetensors")),
            };
            string header = "{\"__metadata__\":{\"format\":\"pt\"}," +
                            "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[13,19]}," +
                            "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[13,13]}," +
                            "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                            "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[19,27]}," +
                            "\"h\":{\"dtype\":\"F16\",\"shape\":[1,1],\"data_offsets\":[8,10]}," +
                            "\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[10,13]}}";
            byte[] data = new byte[27];
            new Random(Seed).NextBytes(data);
            files.Add(SafetensorsTestFiles.Build(header, data));
            foreach (byte[] file in files)
                Assert.NotNull(SafetensorsFile.FromBytes(file)); // The mutations start from valid files.
            return files.ToArray();
        }

        private static byte[] Mutate(byte[] original, Mutation kind, Random random)
        {
            int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
            int headerEnd = 8 + headerLength;
            byte[] bytes = (byte[])original.Clone();
            switch (kind)
            {
                case Mutation.HeaderBitFlips:
                    for (int f = 1 + random.Next(3); f > 0; f--)
                        bytes[random.Next(8, headerEnd)] ^= (byte)(1 << random.Next(8));
                    return bytes;
                case Mutation.AnyByteOverwrite:
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    return bytes;
                case Mutation.Truncation:
                    return bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
                case Mutation.DigitChange:
                {
                    // Keeps the JSON valid, so shapes and offsets change rather than the syntax.
                    int[] digits = Positions(bytes, headerEnd, b => b is >= (byte)'0' and <= (byte)'9');
                    bytes[digits[random.Next(digits.Length)]] = (byte)('0' + random.Next(10));
                    return bytes;
                }
                case Mutation.NumberReplacement:
                    return ReplaceNumber(bytes, headerEnd, random);
                case Mutation.HeaderByteDeletion:
                {
                    int position = random.Next(8, headerEnd);
                    byte[] shorter = [.. bytes.AsSpan(0, position), .. bytes.AsSpan(position + 1)];
                    BinaryPrimitives.WriteUInt64LittleEndian(shorter, (ulong)headerLength - 1);
                    return shorter;
                }
                case Mutation.HeaderByteInsertion:
                {
                    const string Inserted = "{}[],:\"0123456789-.eE \\x";
                    int position = random.Next(8, headerEnd + 1);
                    byte value = (byte)Inserted[random.Next(Inserted.Length)];
                    byte[] longer = [.. bytes.AsSpan(0, position), value, .. bytes.AsSpan(position)];
                    BinaryPrimitives.WriteUInt64LittleEndian(longer, (ulong)headerLength + 1);
                    return longer;
                }
                case Mutation.LengthFieldEdit:
                {
                    ulong length = random.Next(4) switch
                    {
                        0 => (ulong)(headerLength + random.Next(-16, 17)),
                        1 => (ulong)random.NextInt64(),
                        2 => 1UL << random.Next(64),
                        _ => (ulong)(bytes.Length - 8 + random.Next(-2, 3)),
                    };
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
                    return bytes;
                }
                case Mutation.TrailingBytes:
                    return [.. bytes, .. new byte[1 + random.Next(16)]];
                default: // DataBitFlips: the header is intact, so the file stays valid and must read the new bytes.
                    if (bytes.Length > headerEnd)
                    {
                        for (int f = 1 + random.Next(4); f > 0; f--)
                            bytes[random.Next(headerEnd, bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }
                    return bytes;
            }
        }

        /// <summary>Replaces one number of the header with another (0, a neighbour, a huge or negative value).</summary>
        private static byte[] ReplaceNumber(byte[] bytes, int headerEnd, Random random)
        {
            int[] starts = Positions(bytes, headerEnd, b => b is >= (byte)'0' and <= (byte)'9')
                .Where(p => bytes[p - 1] is not (>= (byte)'0' and <= (byte)'9')).ToArray();
            int start = starts[random.Next(starts.Length)];
            int end = start;
            while (end < headerEnd && bytes[end] is >= (byte)'0' and <= (byte)'9') end++;
            long value = long.Parse(Encoding.ASCII.GetString(bytes, start, end - start));
            string replacement = random.Next(6) switch
            {
                0 => "0",
                1 => (value + random.Next(-8, 9)).ToString(),
                2 => long.MaxValue.ToString(),
                3 => "18446744073709551616",
                4 => (-value).ToString(),
                _ => (value * 2).ToString(),
            };
            byte[] header = [.. bytes.AsSpan(8, start - 8), .. Encoding.ASCII.GetBytes(replacement), .. bytes.AsSpan(end, headerEnd - end)];
            return SafetensorsTestFiles.Build(header, bytes.AsSpan(headerEnd).ToArray());
        }

        private static int[] Positions(byte[] bytes, int headerEnd, Func<byte, bool> match) =>
            Enumerable.Range(8, headerEnd - 8).Where(i => match(bytes[i])).ToArray();
    }
}
