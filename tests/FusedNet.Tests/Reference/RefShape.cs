namespace FusedNet.Tests.Reference
{
    /// <summary>
    /// Shape of one sample's tensor in the reference: spatial [C, H, W] or flat [Features].
    /// The reference keeps its own type (rather than the runtime's TensorShape) so it shares no code
    /// with what it checks.
    /// </summary>
    public readonly record struct RefShape(int Channels, int Height, int Width, bool IsFlat)
    {
        public static RefShape Spatial(int channels, int height, int width) => new(channels, height, width, false);

        public static RefShape Flat(int features) => new(features, 1, 1, true);

        /// <summary>Floats in one sample.</summary>
        public int Length => Channels * Height * Width;

        /// <summary>PyTorch-style text: "[3, 32, 32]" or "[10]".</summary>
        public override string ToString() => IsFlat ? $"[{Channels}]" : $"[{Channels}, {Height}, {Width}]";
    }

    /// <summary>One tensor a network expects in its state_dict: full name and PyTorch shape.</summary>
    public sealed record RefTensor(string Name, int[] Shape)
    {
        public int ElementCount
        {
            get
            {
                int count = 1;
                foreach (int d in Shape) count *= d;
                return count;
            }
        }

        public string ShapeText => "[" + string.Join(", ", Shape) + "]";

        public override string ToString() => $"{Name} {ShapeText}";
    }
}
