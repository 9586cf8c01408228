using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.Unicode;

namespace FusedNet
{
    /// <summary>One tensor entry of a safetensors header, validated against the data section.</summary>
    internal sealed class SafetensorsEntry
    {
        public SafetensorsEntry(string name, TensorInfo info, long begin, long end)
        {
            Name = name;
            Info = info;
            Begin = begin;
            End = end;
        }

        public string Name { get; }
        public TensorInfo Info { get; }
        /// <summary>First byte, relative to the start of the data section.</summary>
        public long Begin { get; }
        /// <summary>One past the last byte, relative to the start of the data section.</summary>
        public long End { get; }
    }

    /// <summary>
    /// Parses and validates the JSON header of a safetensors file:
    /// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>.
    /// Every rule is checked here, so a file that opens can be read without further range checks.
    /// </summary>
    internal static class SafetensorsHeader
    {
        public const string MetadataKey = "__metadata__";

        /// <summary>More dimensions than any real tensor has; bounds the work a hostile shape can cause.</summary>
        public const int MaxRank = 64;

        /// <summary>Nesting of a valid header: root object, entry object, shape array (one spare level).</summary>
        private const int MaxJsonDepth = 8;

        public static List<SafetensorsEntry> Parse(ReadOnlyMemory<byte> json, long dataLength, string displayName)
        {
            if (!Utf8.IsValid(json.Span))
                throw Error(displayName, "the header is not valid UTF-8");
            CheckCounts(json.Span, displayName);

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
            }
            catch (JsonException e)
            {
                throw Error(displayName, $"the header is not valid JSON ({e.Message})", e);
            }

            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw Error(displayName, $"the header must be a JSON object, found {Describe(root)}");

                var entries = new List<SafetensorsEntry>();
                var seenNames = new HashSet<string>(StringComparer.Ordinal);
                foreach (JsonProperty property in root.EnumerateObject())
                {
                    if (!seenNames.Add(property.Name))
                        throw Error(displayName, $"tensor '{property.Name}' appears more than once in the header");
                    if (property.Name == MetadataKey)
                        ValidateMetadata(property.Value, displayName);
                    else
                        entries.Add(ParseEntry(property.Name, property.Value, dataLength, displayName));
                }
                CheckTiling(entries, dataLength, displayName);
                return entries;
            }
        }

        /// <summary>
        /// Scans the header once with a forward-only reader, which allocates nothing per token, and stops at the
        /// first tensor past <see cref="SafetensorsFile.MaxTensorCount"/> (the metadata key does not count) or
        /// the first token past <see cref="SafetensorsFile.MaxHeaderTokenCount"/>. A hostile 100 MB header of
        /// millions of tiny entries, metadata items or shape dimensions is thus rejected after a few megabytes,
        /// before <see cref="JsonDocument"/> (12 bytes per token) and the per-tensor objects cost seconds and
        /// gigabytes. Malformed JSON is left to <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>,
        /// which reports it with its position.
        /// </summary>
        private static void CheckCounts(ReadOnlySpan<byte> json, string displayName)
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
            int tensors = 0; // Tensor keys, repeats included (JsonDocument's pass reports those).
            int tokens = 0;
            try
            {
                while (reader.Read())
                {
                    if (++tokens > SafetensorsFile.MaxHeaderTokenCount)
                    {
                        throw Error(displayName,
                            $"the header has more than {SafetensorsFile.MaxHeaderTokenCount} JSON tokens (the limit; " +
                            $"stopped counting at byte {reader.TokenStartIndex} of {json.Length})");
                    }
                    if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1 ||
                        reader.ValueTextEquals(MetadataKey))
                        continue;
                    if (++tensors > SafetensorsFile.MaxTensorCount)
                    {
                        throw Error(displayName,
                            $"the header lists more than {SafetensorsFile.MaxTensorCount} tensors (the limit; stopped " +
                            $"counting at byte {reader.TokenStartIndex} of {json.Length})");
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON: JsonDocument.Parse rejects it next with a better message.
            }
        }

        /// <summary>
        /// The tensors must tile the data section exactly, as the reference implementation requires: sorted by
        /// offsets, the first begins at 0, each begins where the previous one ends, and the last ends at the
        /// end of the file. So no byte belongs to two tensors and none to no tensor. Zero-size tensors
        /// (begin == end) sort before a tensor beginning at the same offset and fit anywhere between tensors.
        /// </summary>
        private static void CheckTiling(List<SafetensorsEntry> entries, long dataLength, string displayName)
        {
            // Sorts indices, not entries: ties (equal begin and end) keep header order, so messages are stable.
            var order = new int[entries.Count];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            Array.Sort(order, (a, b) =>
            {
                int byBegin = entries[a].Begin.CompareTo(entries[b].Begin);
                if (byBegin != 0) return byBegin;
                int byEnd = entries[a].End.CompareTo(entries[b].End);
                return byEnd != 0 ? byEnd : a.CompareTo(b);
            });

            SafetensorsEntry? previous = null;
            long covered = 0; // Every byte before this offset belongs to exactly one tensor.
            foreach (int index in order)
            {
                SafetensorsEntry entry = entries[index];
                if (entry.Begin < covered && entry.Begin == entry.End)
                {
                    throw Error(displayName,
                        $"tensor '{entry.Name}' (zero-size, data_offsets [{entry.Begin}, {entry.End}]) lies inside tensor " +
                        $"'{previous!.Name}' (data_offsets [{previous.Begin}, {previous.End}]); tensors may not overlap");
                }
                if (entry.Begin < covered)
                {
                    throw Error(displayName,
                        $"tensors '{previous!.Name}' (data_offsets [{previous.Begin}, {previous.End}]) and '{entry.Name}' " +
                        $"(data_offsets [{entry.Begin}, {entry.End}]) overlap: bytes [{entry.Begin}, {Math.Min(covered, entry.End)}) " +
                        "of the data section would belong to both");
                }
                if (entry.Begin > covered)
                {
                    string before = previous is null
                        ? "at the start of the data section"
                        : $"between tensor '{previous.Name}' (ending at {previous.End}) and";
                    throw Error(displayName,
                        $"bytes [{covered}, {entry.Begin}) of the data section belong to no tensor ({before} tensor " +
                        $"'{entry.Name}' (data_offsets [{entry.Begin}, {entry.End}])); the tensors must cover the data " +
                        "section exactly");
                }
                previous = entry;
                covered = entry.End;
            }

            if (covered != dataLength)
            {
                string after = previous is null ? "the header lists no tensors" : $"the last tensor, '{previous.Name}', ends at {covered}";
                throw Error(displayName,
                    $"bytes [{covered}, {dataLength}) at the end of the data section belong to no tensor ({after}, but " +
                    $"the data section holds {dataLength} bytes); the tensors must cover the data section exactly");
            }
        }

        /// <summary>The metadata is ignored, but must be the string-to-string map the format defines.</summary>
        private static void ValidateMetadata(JsonElement metadata, string displayName)
        {
            if (metadata.ValueKind != JsonValueKind.Object)
                throw Error(displayName, $"'{MetadataKey}' must be an object of strings, found {Describe(metadata)}");
            foreach (JsonProperty item in metadata.EnumerateObject())
            {
                if (item.Value.ValueKind != JsonValueKind.String)
                    throw Error(displayName, $"'{MetadataKey}' entry '{item.Name}' must be a string, found {Describe(item.Value)}");
            }
        }

        private static SafetensorsEntry ParseEntry(string name, JsonElement entry, long dataLength, string displayName)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw Error(displayName,
                    $"tensor '{name}': expected an object with dtype, shape and data_offsets, found {Describe(entry)}");
            }

            JsonElement dtypeElement = RequiredProperty(name, entry, "dtype", JsonValueKind.String, displayName);
            JsonElement shapeElement = RequiredProperty(name, entry, "shape", JsonValueKind.Array, displayName);
            JsonElement offsetsElement = RequiredProperty(name, entry, "data_offsets", JsonValueKind.Array, displayName);

            string dtypeName = dtypeElement.GetString()!;
            long[] shape = ParseShape(name, shapeElement, displayName);
            long elementCount = CountElements(name, shape, displayName);
            (long begin, long end) = ParseOffsets(name, offsetsElement, dataLength, displayName);
            CheckByteSize(name, dtypeName, shape, elementCount, end - begin, displayName);

            var info = new TensorInfo(SafetensorsDataTypes.Parse(dtypeName), Array.AsReadOnly(shape), dtypeName);
            return new SafetensorsEntry(name, info, begin, end);
        }

        private static JsonElement RequiredProperty(string name, JsonElement entry, string key, JsonValueKind kind,
            string displayName)
        {
            JsonElement found = default;
            int count = 0;
            foreach (JsonProperty property in entry.EnumerateObject())
            {
                if (property.NameEquals(key))
                {
                    found = property.Value;
                    count++;
                }
            }

            if (count == 0)
                throw Error(displayName, $"tensor '{name}': '{key}' is missing");
            if (count > 1)
                throw Error(displayName, $"tensor '{name}': '{key}' appears {count} times");
            if (found.ValueKind != kind)
            {
                string expected = kind == JsonValueKind.String ? "a string" : "an array";
                throw Error(displayName, $"tensor '{name}': '{key}' must be {expected}, found {Describe(found)}");
            }
            return found;
        }

        private static long[] ParseShape(string name, JsonElement shapeElement, string displayName)
        {
            int rank = shapeElement.GetArrayLength();
            if (rank > MaxRank)
                throw Error(displayName, $"tensor '{name}': shape has {rank} dimensions, more than the {MaxRank} supported");
            var shape = new long[rank];
            int axis = 0;
            foreach (JsonElement dimension in shapeElement.EnumerateArray())
            {
                if (!TryGetNonNegativeInteger(dimension, out long size))
                {
                    throw Error(displayName,
                        $"tensor '{name}': shape dimension {axis} must be a non-negative integer, found {Describe(dimension)}");
                }
                shape[axis++] = size;
            }
            return shape;
        }

        private static long CountElements(string name, long[] shape, string displayName)
        {
            long count = 1;
            foreach (long size in shape)
            {
                // Compare before multiplying, so the product never overflows.
                if (size != 0 && count > long.MaxValue / size)
                    throw Error(displayName, $"tensor '{name}': the element count of shape {ShapeText(shape)} overflows a 64-bit integer");
                count *= size;
            }
            return count;
        }

        private static (long Begin, long End) ParseOffsets(string name, JsonElement offsetsElement, long dataLength,
            string displayName)
        {
            if (offsetsElement.GetArrayLength() != 2)
            {
                throw Error(displayName,
                    $"tensor '{name}': data_offsets must be [begin, end], found {offsetsElement.GetArrayLength()} values");
            }

            JsonElement beginElement = offsetsElement[0];
            JsonElement endElement = offsetsElement[1];
            if (!TryGetNonNegativeInteger(beginElement, out long begin))
                throw Error(displayName, $"tensor '{name}': data_offsets begin must be a non-negative integer, found {Describe(beginElement)}");
            if (!TryGetNonNegativeInteger(endElement, out long end))
                throw Error(displayName, $"tensor '{name}': data_offsets end must be a non-negative integer, found {Describe(endElement)}");
            if (begin > end)
                throw Error(displayName, $"tensor '{name}': data_offsets begin {begin} is after end {end}");
            if (end > dataLength)
            {
                throw Error(displayName,
                    $"tensor '{name}': data_offsets end {end} is beyond the data section, which holds {dataLength} bytes");
            }
            return (begin, end);
        }

        private static void CheckByteSize(string name, string dtypeName, long[] shape, long elementCount, long byteCount,
            string displayName)
        {
            int elementSize = SafetensorsDataTypes.ElementSize(dtypeName);
            if (elementSize == 0)
                return; // A dtype this reader does not know: its size cannot be checked, and it is never read.

            // elementCount * elementSize may overflow even though byteCount fits, so divide instead.
            bool matches = byteCount % elementSize == 0 && byteCount / elementSize == elementCount;
            if (!matches)
            {
                string expectedBytes = elementCount <= long.MaxValue / elementSize
                    ? (elementCount * elementSize).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : "more than 2^63";
                throw Error(displayName,
                    $"tensor '{name}': dtype {dtypeName} with shape {ShapeText(shape)} needs {expectedBytes} bytes " +
                    $"({elementCount} elements x {elementSize}), but data_offsets span {byteCount} bytes");
            }
        }

        private static bool TryGetNonNegativeInteger(JsonElement element, out long value)
        {
            value = 0;
            // TryGetInt64 rejects fractions ("3.5"), exponents ("3e0") and values beyond the long range.
            return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= 0;
        }

        private static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

        /// <summary>A short description of a JSON value for messages: its kind and (shortened) text.</summary>
        private static string Describe(JsonElement element)
        {
            string text = element.GetRawText();
            if (text.Length > 40) text = text[..40] + "...";
            return $"{element.ValueKind.ToString().ToLowerInvariant()} {text}";
        }

        private static InvalidDataException Error(string displayName, string message, Exception? inner = null) =>
            new($"Safetensors file '{displayName}': {message}", inner);
    }
}
