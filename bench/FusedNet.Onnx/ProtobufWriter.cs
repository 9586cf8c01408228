using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace FusedNet.Onnx
{
    /// <summary>
    /// The few pieces of the protobuf wire format an ONNX model needs: varints (wire type 0), fixed32
    /// floats (wire type 5) and length-delimited bytes, strings and nested messages (wire type 2).
    /// Repeated scalars are written unpacked (one tag per element), which every protobuf reader accepts
    /// for both proto2 (ONNX's syntax) and proto3.
    /// </summary>
    public sealed class ProtobufWriter
    {
        private const int WireVarint = 0;
        private const int WireLengthDelimited = 2;
        private const int WireFixed32 = 5;

        private readonly List<byte> _bytes = new List<byte>();

        public byte[] ToArray() => _bytes.ToArray();

        public void WriteInt64(int field, long value)
        {
            WriteTag(field, WireVarint);
            // Negative int64 values are encoded as their 64-bit two's complement (10 bytes), as protobuf does.
            WriteVarint(unchecked((ulong)value));
        }

        public void WriteFloat(int field, float value)
        {
            WriteTag(field, WireFixed32);
            Span<byte> buffer = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(buffer, value);
            foreach (byte b in buffer) _bytes.Add(b);
        }

        public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

        public void WriteBytes(int field, ReadOnlySpan<byte> value)
        {
            WriteTag(field, WireLengthDelimited);
            WriteVarint((ulong)value.Length);
            foreach (byte b in value) _bytes.Add(b);
        }

        /// <summary>Writes a nested message: its body is built in a separate writer so its length is known.</summary>
        public void WriteMessage(int field, Action<ProtobufWriter> writeBody)
        {
            var body = new ProtobufWriter();
            writeBody(body);
            WriteTag(field, WireLengthDelimited);
            WriteVarint((ulong)body._bytes.Count);
            _bytes.AddRange(body._bytes);
        }

        private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

        private void WriteVarint(ulong value)
        {
            // Seven bits per byte, least significant group first; the high bit says "more follows".
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.Add((byte)value);
        }
    }
}
