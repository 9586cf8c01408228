using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Runtime.InteropServices;

namespace FusedNet
{
    /// <summary>
    /// A safetensors file (8-byte little-endian header length N, N bytes of JSON header, then the data
    /// section) read as an <see cref="IWeightSource"/>. F32, F16 and BF16 tensors read as float; other dtypes
    /// are listed but not readable as float.
    /// </summary>
    /// <remarks>
    /// The whole header is validated at <see cref="Open"/>: a file that opens never fails later for a
    /// reason that was visible in it. Only the header is held in memory; tensor bytes are read on demand
    /// with positional reads (<see cref="RandomAccess"/>), so files of any size open cheaply and several
    /// threads may read tensors at once. Nothing in the file needs to be aligned.
    /// </remarks>
    public sealed partial class SafetensorsFile : IWeightSource, IDisposable
    {
        /// <summary>
        /// Largest accepted JSON header, in bytes (the reference implementation's limit). Real headers are
        /// kilobytes; the limit stops a hostile length prefix from causing a huge allocation.
        /// </summary>
        public const int MaxHeaderLength = 100_000_000;

        /// <summary>
        /// Most tensors a header may list. A CNN has a few per layer (ResNet-152: under 1,000), so 100,000 is far
        /// beyond any network this library can build; the limit stops a header of millions of tiny entries
        /// (which fits <see cref="MaxHeaderLength"/>) from costing seconds and gigabytes before it is rejected.
        /// It is checked with a scan that allocates nothing per entry, before the header is parsed.
        /// </summary>
        public const int MaxTensorCount = 100_000;

        /// <summary>
        /// Most JSON tokens (names, values, brackets) a header may have; a tensor entry takes 10 plus its rank, a
        /// metadata item 2. Four million leave room for <see cref="MaxTensorCount"/> tensors of rank 8 or so and
        /// bound what else a header can make the parser do (millions of metadata items, huge shape arrays) to well
        /// under a second and about 50 MB. Checked in the same allocation-free scan as <see cref="MaxTensorCount"/>.
        /// </summary>
        public const int MaxHeaderTokenCount = 4_000_000;

        private const int LengthPrefixSize = sizeof(ulong);
        /// <summary>Bytes converted per step when widening F16/BF16; keeps the scratch buffer small.</summary>
        private const int ConversionChunkBytes = 64 * 1024;

        private readonly SafetensorsStorage _storage;
        private readonly Dictionary<string, SafetensorsEntry> _entries;
        private readonly ReadOnlyCollection<string> _names;
        private readonly long _dataStart;
        private bool _disposed;

        private SafetensorsFile(SafetensorsStorage storage, string displayName, List<SafetensorsEntry> entries, long dataStart)
        {
            _storage = storage;
            DisplayName = displayName;
            _dataStart = dataStart;
            _entries = new Dictionary<string, SafetensorsEntry>(entries.Count, StringComparer.Ordinal);
            var names = new string[entries.Count];
            for (int i = 0; i < entries.Count; i++)
            {
                _entries.Add(entries[i].Name, entries[i]);
                names[i] = entries[i].Name;
            }
            _names = Array.AsReadOnly(names);
        }

        /// <summary>The path (or the name given to <see cref="FromBytes"/>), used in every message.</summary>
        public string DisplayName { get; }

        /// <summary>Tensor names in the order the header lists them (<c>__metadata__</c> excluded).</summary>
        /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
        public IReadOnlyCollection<string> TensorNames
        {
            get
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return _names;
            }
        }

        /// <summary>
        /// Opens and validates <paramref name="path"/>. Throws <see cref="InvalidDataException"/> naming the
        /// file, the tensor and what was wrong for any malformed content.
        /// </summary>
        /// <param name="path">A .safetensors file, e.g. written by <c>safetensors.torch.save_file(model.state_dict(), path)</c>.</param>
        /// <returns>The open file; dispose it when done (a network built from it does not need it any more).</returns>
        /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
        /// <exception cref="InvalidDataException">
        /// The path is not a regular file (a directory, FIFO, socket or device: rejected before anything can block),
        /// or the file is not a valid safetensors file (truncated, bad header, more than <see cref="MaxTensorCount"/>
        /// tensors, offsets outside the data, tensors that overlap or leave bytes of the data section unused, …).
        /// </exception>
        /// <exception cref="IOException">The file cannot be opened (<see cref="FileNotFoundException"/>, a directory that does not exist, …).</exception>
        /// <exception cref="UnauthorizedAccessException">The file cannot be read with the caller's permissions.</exception>
        public static SafetensorsFile Open(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            return Create(new FileStorage(path), path);
        }

        /// <summary>
        /// Validates <paramref name="bytes"/> as a whole safetensors file. The array is used as is, not
        /// copied: do not change it afterwards.
        /// </summary>
        /// <param name="bytes">The whole file: length prefix, JSON header and data.</param>
        /// <param name="displayName">Name used in messages in place of a path.</param>
        /// <exception cref="ArgumentNullException"><paramref name="bytes"/> or <paramref name="displayName"/> is null.</exception>
        /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
        public static SafetensorsFile FromBytes(byte[] bytes, string displayName = "<memory>")
        {
            ArgumentNullException.ThrowIfNull(bytes);
            ArgumentNullException.ThrowIfNull(displayName);
            return Create(new MemoryStorage(bytes), displayName);
        }

        /// <summary>Dtype and shape of <paramref name="name"/> from the header; false if the file has no such tensor.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
        public bool TryGetTensorInfo(string name, out TensorInfo info)
        {
            ArgumentNullException.ThrowIfNull(name);
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(name, out SafetensorsEntry? entry))
            {
                info = entry.Info;
                return true;
            }
            info = default;
            return false;
        }

        /// <summary>
        /// Reads tensor <paramref name="name"/> widened exactly to float: F32 as is, F16 through
        /// <see cref="Half"/>, BF16 as the upper 16 bits of a float.
        /// </summary>
        /// <exception cref="InvalidDataException">
        /// No such tensor, a dtype that is not F32/F16/BF16, or a destination whose length is not the element count.
        /// </exception>
        /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
        public void ReadFloat32(string name, Span<float> destination)
        {
            ArgumentNullException.ThrowIfNull(name);
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(name, out SafetensorsEntry? entry))
                throw new InvalidDataException($"Safetensors file '{DisplayName}' has no tensor '{name}'");

            TensorInfo info = entry.Info;
            if (!info.IsFloatingPoint)
            {
                throw new InvalidDataException(
                    $"Safetensors file '{DisplayName}': tensor '{name}' has dtype {info.DataTypeName}, which cannot be " +
                    "read as float (expected F32, F16 or BF16)");
            }
            if (destination.Length != info.ElementCount)
            {
                throw new InvalidDataException(
                    $"Safetensors file '{DisplayName}': tensor '{name}' {info.ShapeText} has {info.ElementCount} elements, " +
                    $"but the destination holds {destination.Length} floats");
            }

            long offset = _dataStart + entry.Begin;
            if (info.DataType == TensorDataType.F32)
                ReadF32(offset, destination);
            else
                ReadSixteenBit(offset, destination, info.DataType);
        }

        /// <summary>
        /// Closes the file. A network built from it keeps working: it holds no reference to its weight source.
        /// Afterwards <see cref="TensorNames"/>, <see cref="TryGetTensorInfo"/> and <see cref="ReadFloat32"/> throw
        /// <see cref="ObjectDisposedException"/>, so a disposed file never answers as if it were open.
        /// </summary>
        public void Dispose()
        {
            _disposed = true;
            _storage.Dispose();
        }

        /// <summary>"safetensors file '<see cref="DisplayName"/>'".</summary>
        public override string ToString() => $"safetensors file '{DisplayName}'";

        /// <summary>Reads the length prefix and the header, validates both, and takes ownership of <paramref name="storage"/>.</summary>
        private static SafetensorsFile Create(SafetensorsStorage storage, string displayName)
        {
            try
            {
                int headerLength = ReadHeaderLength(storage, displayName);
                var header = new byte[headerLength];
                storage.ReadExactly(LengthPrefixSize, header);

                long dataStart = LengthPrefixSize + (long)headerLength;
                long dataLength = storage.Length - dataStart;
                List<SafetensorsEntry> entries = SafetensorsHeader.Parse(header, dataLength, displayName);
                return new SafetensorsFile(storage, displayName, entries, dataStart);
            }
            catch
            {
                storage.Dispose();
                throw;
            }
        }

        private static int ReadHeaderLength(SafetensorsStorage storage, string displayName)
        {
            long fileLength = storage.Length;
            if (fileLength < LengthPrefixSize)
            {
                throw new InvalidDataException(
                    $"Safetensors file '{displayName}': expected at least {LengthPrefixSize} bytes (the header length), " +
                    $"found {fileLength}");
            }

            Span<byte> prefix = stackalloc byte[LengthPrefixSize];
            storage.ReadExactly(0, prefix);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);

            // Compare as unsigned so a length of 2^63 or more cannot turn negative.
            ulong available = (ulong)(fileLength - LengthPrefixSize);
            if (headerLength > available)
            {
                throw new InvalidDataException(
                    $"Safetensors file '{displayName}': the header length is {headerLength} bytes, but only {available} " +
                    "bytes follow the length prefix (truncated or not a safetensors file)");
            }
            if (headerLength > MaxHeaderLength)
            {
                throw new InvalidDataException(
                    $"Safetensors file '{displayName}': the header length is {headerLength} bytes, more than the " +
                    $"{MaxHeaderLength} accepted");
            }
            if (headerLength < 2)
            {
                throw new InvalidDataException(
                    $"Safetensors file '{displayName}': the header length is {headerLength} bytes, too short for a JSON object");
            }
            return (int)headerLength;
        }

        private void ReadF32(long offset, Span<float> destination)
        {
            // Reading into the float span's own bytes is fine: it is the file data that may be unaligned.
            Span<byte> bytes = MemoryMarshal.AsBytes(destination);
            _storage.ReadExactly(offset, bytes);
            if (!BitConverter.IsLittleEndian)
            {
                Span<uint> words = MemoryMarshal.Cast<float, uint>(destination);
                BinaryPrimitives.ReverseEndianness(words, words);
            }
        }

        private void ReadSixteenBit(long offset, Span<float> destination, TensorDataType dataType)
        {
            byte[] chunk = ArrayPool<byte>.Shared.Rent(ConversionChunkBytes);
            try
            {
                while (!destination.IsEmpty)
                {
                    int count = Math.Min(destination.Length, ConversionChunkBytes / 2);
                    Span<byte> raw = chunk.AsSpan(0, count * 2);
                    _storage.ReadExactly(offset, raw);
                    Widen(raw, destination[..count], dataType);
                    offset += raw.Length;
                    destination = destination[count..];
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        private static void Widen(ReadOnlySpan<byte> raw, Span<float> destination, TensorDataType dataType)
        {
            if (dataType == TensorDataType.F16)
            {
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = FloatConversions.HalfToSingle(BinaryPrimitives.ReadHalfLittleEndian(raw.Slice(2 * i, 2)));
            }
            else
            {
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = FloatConversions.BFloat16BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i, 2)));
            }
        }
    }
}
