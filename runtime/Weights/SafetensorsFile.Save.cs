using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FusedNet
{
    public sealed partial class SafetensorsFile
    {
        /// <summary>
        /// Writes every float tensor of <paramref name="source"/> to <paramref name="path"/> as a safetensors
        /// file, converted to <paramref name="dataType"/> (F32, F16 or BF16, rounding to nearest even).
        /// Non-float tensors (such as num_batches_tracked) are skipped. The file is written beside the
        /// target and moved into place at the end, so a failure never leaves a partial file, and a source
        /// opened from the same path can be saved over itself.
        /// </summary>
        /// <param name="path">The file to write (replaced if it exists).</param>
        /// <param name="source">The tensors to write, e.g. <see cref="InMemoryWeights"/> or another file.</param>
        /// <param name="dataType">Element type to store: F32 (default), F16 or BF16.</param>
        /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or <paramref name="dataType"/> is not F32, F16 or BF16.</exception>
        public static void Save(string path, IWeightSource source, TensorDataType dataType = TensorDataType.F32)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            ArgumentNullException.ThrowIfNull(source);
            CheckSaveDataType(dataType);

            string fullPath = Path.GetFullPath(path);
            string temporaryPath = $"{fullPath}.{Guid.NewGuid():N}.tmp";
            try
            {
                using (var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                    Save(stream, source, dataType);
                File.Move(temporaryPath, fullPath, overwrite: true);
            }
            catch
            {
                File.Delete(temporaryPath); // No-op when it does not exist.
                throw;
            }
        }

        /// <summary>
        /// Writes every float tensor of <paramref name="source"/>, in the source's order, to
        /// <paramref name="stream"/> (left open). The header is padded with spaces to a multiple of 8 bytes,
        /// as the reference writer does, so the data section starts aligned.
        /// </summary>
        /// <param name="stream">A writable stream; left open.</param>
        /// <param name="source">The tensors to write.</param>
        /// <param name="dataType">Element type to store: F32 (default), F16 or BF16.</param>
        /// <exception cref="ArgumentException">The stream is not writable, or <paramref name="dataType"/> is not F32, F16 or BF16.</exception>
        public static void Save(Stream stream, IWeightSource source, TensorDataType dataType = TensorDataType.F32)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(source);
            CheckSaveDataType(dataType);
            if (!stream.CanWrite)
                throw new ArgumentException("The stream is not writable.", nameof(stream));

            List<(string Name, TensorInfo Info)> tensors = CollectFloatTensors(source);
            byte[] header = BuildHeader(tensors, dataType);

            Span<byte> prefix = stackalloc byte[LengthPrefixSize];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            WriteData(stream, source, tensors, dataType);
        }

        private static void CheckSaveDataType(TensorDataType dataType)
        {
            if (dataType is not (TensorDataType.F32 or TensorDataType.F16 or TensorDataType.BF16))
                throw new ArgumentException($"Can only save F32, F16 or BF16, not {dataType}.", nameof(dataType));
        }

        private static int BytesPerElement(TensorDataType dataType) => dataType == TensorDataType.F32 ? 4 : 2;

        private static List<(string Name, TensorInfo Info)> CollectFloatTensors(IWeightSource source)
        {
            var tensors = new List<(string, TensorInfo)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in source.TensorNames)
            {
                if (!seen.Add(name))
                    throw new InvalidDataException($"The weight source lists tensor '{name}' twice.");
                if (!source.TryGetTensorInfo(name, out TensorInfo info))
                    throw new InvalidDataException($"The weight source lists tensor '{name}' but has no information for it.");
                if (!info.IsFloatingPoint)
                    continue;
                if (info.ElementCount > Array.MaxLength)
                {
                    throw new InvalidDataException(
                        $"Tensor '{name}' {info.ShapeText} has {info.ElementCount} elements, more than one array can hold.");
                }
                tensors.Add((name, info));
            }
            return tensors;
        }

        /// <summary>The JSON header with each tensor's dtype, shape and byte range, padded with spaces to a multiple of 8.</summary>
        private static byte[] BuildHeader(List<(string Name, TensorInfo Info)> tensors, TensorDataType dataType)
        {
            var buffer = new ArrayBufferWriter<byte>();
            // Relaxed escaping writes names like "a+b" as they are; the output is still valid JSON.
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                string dtypeName = SafetensorsDataTypes.Name(dataType);
                long offset = 0;
                writer.WriteStartObject();
                foreach ((string name, TensorInfo info) in tensors)
                {
                    long end = offset + info.ElementCount * BytesPerElement(dataType);
                    writer.WriteStartObject(name);
                    writer.WriteString("dtype", dtypeName);
                    writer.WriteStartArray("shape");
                    foreach (long dimension in info.Shape)
                        writer.WriteNumberValue(dimension);
                    writer.WriteEndArray();
                    writer.WriteStartArray("data_offsets");
                    writer.WriteNumberValue(offset);
                    writer.WriteNumberValue(end);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    offset = end;
                }
                writer.WriteEndObject();
            }

            int paddedLength = (buffer.WrittenCount + 7) / 8 * 8;
            var header = new byte[paddedLength];
            buffer.WrittenSpan.CopyTo(header);
            header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
            return header;
        }

        private static void WriteData(Stream stream, IWeightSource source, List<(string Name, TensorInfo Info)> tensors,
            TensorDataType dataType)
        {
            int elementSize = BytesPerElement(dataType);
            byte[] chunk = ArrayPool<byte>.Shared.Rent(ConversionChunkBytes);
            try
            {
                foreach ((string name, TensorInfo info) in tensors)
                {
                    var values = new float[info.ElementCount];
                    source.ReadFloat32(name, values);
                    for (int start = 0; start < values.Length; start += ConversionChunkBytes / elementSize)
                    {
                        ReadOnlySpan<float> part = values.AsSpan(start, Math.Min(values.Length - start, ConversionChunkBytes / elementSize));
                        Span<byte> bytes = chunk.AsSpan(0, part.Length * elementSize);
                        Narrow(part, bytes, dataType);
                        stream.Write(bytes);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        private static void Narrow(ReadOnlySpan<float> values, Span<byte> destination, TensorDataType dataType)
        {
            switch (dataType)
            {
                case TensorDataType.F32:
                    for (int i = 0; i < values.Length; i++)
                        BinaryPrimitives.WriteSingleLittleEndian(destination.Slice(4 * i, 4), values[i]);
                    break;
                case TensorDataType.F16:
                    for (int i = 0; i < values.Length; i++)
                        BinaryPrimitives.WriteHalfLittleEndian(destination.Slice(2 * i, 2), FloatConversions.SingleToHalf(values[i]));
                    break;
                default:
                    for (int i = 0; i < values.Length; i++)
                        BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(2 * i, 2), FloatConversions.SingleToBFloat16Bits(values[i]));
                    break;
            }
        }
    }
}
