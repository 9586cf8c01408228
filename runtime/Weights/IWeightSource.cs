using System;
using System.Collections.Generic;

namespace FusedNet
{
    /// <summary>Element type of a stored tensor, with safetensors' dtype names.</summary>
    public enum TensorDataType
    {
        F32,
        F16,
        BF16,
        F64,
        I64,
        I32,
        I16,
        I8,
        U8,
        BOOL,
        /// <summary>Any other dtype string; never readable as float.</summary>
        Other,
    }

    /// <summary>Dtype and shape of one stored tensor.</summary>
    public readonly struct TensorInfo
    {
        public TensorInfo(TensorDataType dataType, IReadOnlyList<long> shape, string dataTypeName)
        {
            DataType = dataType;
            Shape = shape;
            DataTypeName = dataTypeName;
            long count = 1;
            foreach (long d in shape) count *= d;
            ElementCount = count;
        }

        public TensorDataType DataType { get; }
        /// <summary>The dtype as the file spells it (useful in messages for unknown dtypes).</summary>
        public string DataTypeName { get; }
        public IReadOnlyList<long> Shape { get; }
        public long ElementCount { get; }
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";
        /// <summary>True for dtypes <see cref="IWeightSource.ReadFloat32"/> can widen exactly: F32, F16, BF16.</summary>
        public bool IsFloatingPoint => DataType is TensorDataType.F32 or TensorDataType.F16 or TensorDataType.BF16;
    }

    /// <summary>
    /// Where a network's constructor reads tensors from, by PyTorch state_dict name. The network keeps no
    /// reference to it, so it can be disposed right after construction.
    /// </summary>
    public interface IWeightSource
    {
        /// <summary>Names of every stored tensor, in storage order.</summary>
        IReadOnlyCollection<string> TensorNames { get; }

        /// <summary>Dtype and shape of <paramref name="name"/>; false if there is no such tensor.</summary>
        bool TryGetTensorInfo(string name, out TensorInfo info);

        /// <summary>
        /// Reads tensor <paramref name="name"/> widened exactly to float32 (F32, F16 and BF16).
        /// Throws <see cref="System.IO.InvalidDataException"/> for another dtype, a missing tensor or a
        /// <paramref name="destination"/> whose length is not the element count.
        /// </summary>
        void ReadFloat32(string name, Span<float> destination);
    }
}
