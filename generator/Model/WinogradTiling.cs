namespace FusedNet.Generator.Model
{
    /// <summary>
    /// The fixed geometry of one Winograd F(4x4, 3x3) step: 4x4 output tiles read 6x6 input tiles, one row of tiles per
    /// pass, and the workspace a call needs (V, M, a transpose area and, when the last tile row reads past the input
    /// buffer, a zero row). Shared by the emitter (offsets) and the memory plan (sizes), so they cannot disagree.
    /// </summary>
    internal sealed class WinogradTiling
    {
        public const int Tile = 4;
        public const int InputTile = 6;
        /// <summary>Transformed positions per tile (6 × 6).</summary>
        public const int Positions = 36;

        public WinogradTiling(StepPlan step, BufferPlan input)
        {
            InChannels = step.InputShape.Channels;
            OutChannels = step.OutputShape.Channels;
            OutHeight = step.OutputShape.Height;
            OutWidth = step.OutputShape.Width;
            TileRows = (OutHeight + Tile - 1) / Tile;
            TilesPerRow = (OutWidth + Tile - 1) / Tile;
            Shift = input.Border - step.Padding;
            InputRowFloats = input.PaddedWidth * input.ChannelStride;
            // Input rows of the last tile row that exist in the buffer (the rest read as zeros).
            LastTileRowInputRows = System.Math.Min(InputTile, input.PaddedHeight - ((TileRows - 1) * Tile + Shift));
            InPadded = BufferPlan.RoundUp(InChannels, BufferPlan.ChannelAlignment);
            OutPadded = BufferPlan.RoundUp(OutChannels, BufferPlan.ChannelAlignment);
            PaddedInputWidth = input.PaddedWidth;
        }

        public int InChannels { get; }
        public int OutChannels { get; }
        public int OutHeight { get; }
        public int OutWidth { get; }
        public int TileRows { get; }
        public int TilesPerRow { get; }
        /// <summary>Input buffer border minus the padding: buffer coordinate of padded input coordinate 0.</summary>
        public int Shift { get; }
        public int InputRowFloats { get; }
        public int PaddedInputWidth { get; }
        public int LastTileRowInputRows { get; }
        /// <summary>Channel stride of V (input channels rounded up to 16: whole vectors at every width).</summary>
        public int InPadded { get; }
        /// <summary>Channel stride of M (output channels rounded up to 16).</summary>
        public int OutPadded { get; }

        /// <summary>Input columns of tile <paramref name="tx"/> inside the buffer (the rest read as zeros).</summary>
        public int InputColumns(int tx) => System.Math.Min(InputTile, PaddedInputWidth - (tx * Tile + Shift));

        /// <summary>Whether the last tile row reads rows past the input buffer (they come from a zero row in the workspace).</summary>
        public bool NeedsZeroRow => LastTileRowInputRows < InputTile;

        // Workspace of one call (floats), in this order; every part starts on a multiple of 16 floats (64 bytes).
        public long VOffset => 0;
        public long VFloats => (long)Positions * TilesPerRow * InPadded;
        public long MOffset => VOffset + VFloats;
        public long MFloats => (long)Positions * TilesPerRow * OutPadded;
        /// <summary>36 vectors of up to 16 lanes: a tile's intermediate (the first half of a two-sided transform).</summary>
        public long TOffset => MOffset + MFloats;
        public const long TFloats = Positions * 16;
        public long ZeroOffset => TOffset + TFloats;
        public long ZeroFloats => NeedsZeroRow ? BufferPlan.RoundUp(InputRowFloats, 16) : 0;

        /// <summary>Floats of workspace one call of the kernel uses (for any range of tile rows: one row at a time).</summary>
        public long WorkspaceFloats => ZeroOffset + ZeroFloats;
    }
}
