using System;

namespace FusedNet
{
    /// <summary>The dtype strings of the safetensors format and their element sizes.</summary>
    internal static class SafetensorsDataTypes
    {
        /// <summary>Maps a dtype string to <see cref="TensorDataType"/>; unknown strings become Other.</summary>
        public static TensorDataType Parse(string name) => name switch
        {
            "F32" => TensorDataType.F32,
            "F16" => TensorDataType.F16,
            "BF16" => TensorDataType.BF16,
            "F64" => TensorDataType.F64,
            "I64" => TensorDataType.I64,
            "I32" => TensorDataType.I32,
            "I16" => TensorDataType.I16,
            "I8" => TensorDataType.I8,
            "U8" => TensorDataType.U8,
            "BOOL" => TensorDataType.BOOL,
            _ => TensorDataType.Other,
        };

        /// <summary>The dtype string the format uses for <paramref name="dataType"/> (not defined for Other).</summary>
        public static string Name(TensorDataType dataType) => dataType switch
        {
            TensorDataType.Other => throw new ArgumentOutOfRangeException(nameof(dataType), "Other has no single dtype name"),
            _ => dataType.ToString(),
        };

        /// <summary>
        /// Bytes per element, or 0 when the size is not known. Besides the dtypes of <see cref="TensorDataType"/>,
        /// the other whole-byte dtypes of the format are listed so their byte sizes can still be validated.
        /// Sub-byte dtypes (F4, F6_*) and any future ones return 0: only their offsets are checked.
        /// </summary>
        public static int ElementSize(string name) => name switch
        {
            "F64" or "I64" or "U64" or "C64" => 8,
            "F32" or "I32" or "U32" => 4,
            "F16" or "BF16" or "I16" or "U16" => 2,
            "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" or "F8_E8M0" => 1,
            _ => 0,
        };
    }
}
