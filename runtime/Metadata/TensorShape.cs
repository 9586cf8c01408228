using System;

namespace FusedNet
{
    /// <summary>
    /// The shape of one sample's tensor: either spatial [C, H, W] (Rank 3) or flat [Features] (Rank 1).
    /// A value type, so reading a network's InputShape/OutputShape allocates nothing.
    /// </summary>
    public readonly struct TensorShape : IEquatable<TensorShape>
    {
        /// <summary>A spatial shape [channels, height, width].</summary>
        public TensorShape(int channels, int height, int width)
        {
            Rank = 3;
            Channels = channels;
            Height = height;
            Width = width;
        }

        private TensorShape(int features)
        {
            Rank = 1;
            Channels = features;
            Height = 1;
            Width = 1;
        }

        /// <summary>A flat shape [features].</summary>
        public static TensorShape Flat(int features) => new TensorShape(features);

        /// <summary>1 for a flat tensor, 3 for [C, H, W].</summary>
        public int Rank { get; }
        /// <summary>Channels of a spatial tensor, or the feature count of a flat one.</summary>
        public int Channels { get; }
        /// <summary>Height of a spatial tensor; 1 for a flat one.</summary>
        public int Height { get; }
        /// <summary>Width of a spatial tensor; 1 for a flat one.</summary>
        public int Width { get; }
        /// <summary>True for a flat [features] tensor (<see cref="Rank"/> 1).</summary>
        public bool IsFlat => Rank == 1;
        /// <summary>Number of floats in one sample.</summary>
        public int Length => Channels * Height * Width;

        /// <summary>Same rank and dimensions ([16] and [16, 1, 1] differ).</summary>
        public bool Equals(TensorShape other) =>
            Rank == other.Rank && Channels == other.Channels && Height == other.Height && Width == other.Width;
        /// <summary>True if <paramref name="obj"/> is a <see cref="TensorShape"/> with the same rank and dimensions.</summary>
        public override bool Equals(object? obj) => obj is TensorShape other && Equals(other);
        /// <summary>A hash of the rank and dimensions.</summary>
        public override int GetHashCode() => HashCode.Combine(Rank, Channels, Height, Width);
        /// <summary>Same rank and dimensions.</summary>
        public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);
        /// <summary>Different rank or dimensions.</summary>
        public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

        /// <summary>PyTorch-style text: "[3, 32, 32]" or "[10]".</summary>
        public override string ToString() => IsFlat ? $"[{Channels}]" : $"[{Channels}, {Height}, {Width}]";
    }
}
