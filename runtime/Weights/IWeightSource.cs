using System;
using System.Collections.Generic;

namespace FusedNet
{
    /// <summary>Element type of a stored tensor, with safetensors' dtype names.</summary>
    public enum TensorDataType
    {
        /// <summary>32-bit IEEE float (torch.float32); read as is.</summary>
        F32,
        /// <summary>16-bit IEEE half (torch.float16); widened exactly to float.</summary>
        F16,
        /// <summary>bfloat16 (torch.bfloat16); widened exactly to float.</summary>
        BF16,
        /// <summary>64-bit float (torch.float64); listed, not readable as float32.</summary>
        F64,
        /// <summary>64-bit integer (torch.int64, e.g. BatchNorm's num_batches_tracked); not readable as float.</summary>
        I64,
        /// <summary>32-bit integer; not readable as float.</summary>
        I32,
        /// <summary>16-bit integer; not readable as float.</summary>
        I16,
        /// <summary>8-bit integer; not readable as float.</summary>
        I8,
        /// <summary>8-bit unsigned integer; not readable as float.</summary>
        U8,
        /// <summary>Boolean; not readable as float.</summary>
        BOOL,
        /// <summary>Any other dtype string; never readable as float.</summary>
        Other,
    }

    /// <summary>Dtype and shape of one stored tensor.</summary>
    public readonly struct TensorInfo
    {
        /// <summary>Describes a stored tensor.</summary>
        /// <param name="dataType">Element type.</param>
        /// <param name="shape">Dimensions (empty for a 0-dim tensor).</param>
        /// <param name="dataTypeName">The dtype as the source spells it, e.g. "F16".</param>
        public TensorInfo(TensorDataType dataType, IReadOnlyList<long> shape, string dataTypeName)
        {
            DataType = dataType;
            Shape = shape;
            DataTypeName = dataTypeName;
            long count = 1;
            foreach (long d in shape) count *= d;
            ElementCount = count;
        }

        /// <summary>Element type.</summary>
        public TensorDataType DataType { get; }
        /// <summary>The dtype as the file spells it (useful in messages for unknown dtypes).</summary>
        public string DataTypeName { get; }
        /// <summary>Dimensions as stored (empty for a 0-dim tensor).</summary>
        public IReadOnlyList<long> Shape { get; }
        /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a 0-dim tensor).</summary>
        public long ElementCount { get; }
        /// <summary>Shape as PyTorch prints it, e.g. "[16, 8, 3, 3]".</summary>
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
