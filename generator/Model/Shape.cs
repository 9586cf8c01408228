namespace FusedNet.Generator.Model
{
    /// <summary>The shape of one sample's tensor: [C, H, W] (Rank 3) or flat [C] (Rank 1).</summary>
    internal readonly record struct Shape(int Rank, int Channels, int Height, int Width)
    {
        public static Shape Spatial(int channels, int height, int width) => new Shape(3, channels, height, width);
        public static Shape Flat(int features) => new Shape(1, features, 1, 1);

        public bool IsFlat => Rank == 1;
        public long Length => (long)Channels * Height * Width;

        public override string ToString() => IsFlat ? $"[{Channels}]" : $"[{Channels}, {Height}, {Width}]";

        /// <summary>C# expression creating the runtime TensorShape.</summary>
        public string ToRuntimeExpression() => IsFlat
            ? $"global::FusedNet.TensorShape.Flat({Channels})"
            : $"new global::FusedNet.TensorShape({Channels}, {Height}, {Width})";
    }
}
