using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using FusedNet;

namespace FusedNet.Tests.Weights
{
    /// <summary>Builds safetensors byte images by hand, so tests control every header byte.</summary>
    internal static class SafetensorsTestFiles
    {
        /// <summary>Length prefix + header + data; the prefix is the header's byte length unless overridden.</summary>
        public static byte[] Build(string headerJson, byte[] data, ulong? headerLengthOverride = null) =>
            Build(Encoding.UTF8.GetBytes(headerJson), data, headerLengthOverride);

        public static byte[] Build(byte[] header, byte[] data, ulong? headerLengthOverride = null)
        {
            var bytes = new byte[8 + header.Length + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLengthOverride ?? (ulong)header.Length);
            header.CopyTo(bytes, 8);
            data.CopyTo(bytes, 8 + header.Length);
            return bytes;
        }

        /// <summary>A header with one tensor "t" of the given dtype, shape and offsets.</summary>
        public static string OneTensorHeader(string dtype, string shape, string offsets) =>
            $"{{\"t\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}}}";

        public static SafetensorsFile Open(byte[] bytes) => SafetensorsFile.FromBytes(bytes, "crafted.safetensors");

        /// <summary>Opens <paramref name="bytes"/>, expecting rejection; returns the message.</summary>
        public static string Rejection(byte[] bytes)
        {
            var exception = Assert.Throws<InvalidDataException>(() => Open(bytes).Dispose());
            Assert.Contains("crafted.safetensors", exception.Message);
            return exception.Message;
        }

        /// <summary>Writes <paramref name="source"/> to memory with Save and returns the bytes.</summary>
        public static byte[] Save(IWeightSource source, TensorDataType dataType)
        {
            using var stream = new MemoryStream();
            SafetensorsFile.Save(stream, source, dataType);
            return stream.ToArray();
        }
    }
}
