namespace FusedNet.Generator.Model
{
    /// <summary>
    /// The fixed geometry of one Winograd F(4x4, 3x3) step: 4x4 output tiles read 6x6 input tiles, one row of tiles per
    /// pass, and the workspace a call needs (V, M, a transpose area and, when the last tile row reads past the input
    /// buffer, a zero row). Shared by the emitter (offsets) and the memory plan (sizes), so they cannot disagree.
    /// </summary>
    internal sealed record WinogradTiling
    {
        public const int Tile = 4;
        public const int InputTile = 6;
        /// <summary>Transformed positions per tile (6 × 6).</summary>
        public const int Positions = 36;

        /// <summary>Rows of 4-pixel-high output tiles of a Winograd step: the unit of its kernel's row range.</summary>
        public static int TileRowsOf(StepPlan step) => (step.OutputShape.Height + Tile - 1) / Tile;

        /// <summary>
        /// Tile rows per pass of the variant multi-threaded instances run, or null when the step needs none: a step whose
        /// chosen tiling is a single pass (ResNet-18's layer2/3 at 28×28 and 14×14, cifar's 16×16) cannot be split by pass, so
        /// a second kernel with two passes (half the tile rows each, rounded up) lets two threads share it. One thread keeps
        /// the single-pass kernel, measured faster alone (e.g. 256 channels at 14×14: 4 rows per pass 531 µs, 2 rows 623 µs).
        /// </summary>
        public static int? ThreadedRowsPerPass(StepPlan step, BufferPlan input)
        {
            var tiling = new WinogradTiling(step, input);
            if (ChannelSplitUnits(step, input) is not null) return null; // threads share it by output channels instead
            return tiling.TileRows >= 2 && tiling.RowsPerPass == tiling.TileRows ? (tiling.TileRows + 1) / 2 : null;
        }

        /// <summary>
        /// Tile rows per pass of the variant a team of exactly two threads runs, or null when the step needs none: threads that
        /// share an odd number of passes (wide's and ResNet-18 layer1's 64 → 64 at 56×56: 7 passes of 2 tile rows) get 4 and 3,
        /// so one thread computes 4/7 of the step while the other waits; two passes of half the tile rows give each exactly half.
        /// Only for an even number of tile rows (else the halves differ again), 3 to <see cref="MostPassesEvened"/> passes (more
        /// passes leave less imbalance to remove) and passes within <see cref="MaxPassBytes"/>. Measured on Zen 5 (AVX-512,
        /// `--thread-ratio wide`, alternating builds): two threads 545–553 → 496–509 µs; one thread, 7 tile rows per pass run
        /// as fast as 2 (422 vs 421 µs), so the bigger pass costs nothing. Other thread counts keep the step's own passes.
        /// </summary>
        public static int? TwoThreadRowsPerPass(StepPlan step, BufferPlan input)
        {
            if (ChannelSplitUnits(step, input) is not null) return null;
            var tiling = new WinogradTiling(step, input);
            int passes = (tiling.TileRows + tiling.RowsPerPass - 1) / tiling.RowsPerPass;
            if (passes < 3 || passes % 2 == 0 || passes > MostPassesEvened || tiling.TileRows % 2 != 0) return null;
            int rows = tiling.TileRows / 2;
            return rows * tiling.PassBytesPerTileRow <= MaxPassBytes ? rows : null;
        }

        /// <summary>The most passes of a step that <see cref="TwoThreadRowsPerPass"/> evens out (9 passes: 5 vs 4, 11% over half).</summary>
        public const int MostPassesEvened = 7;

        /// <summary>Tile rows per pass of the step's two-pass kernel (<see cref="ThreadedRowsPerPass"/> or <see cref="TwoThreadRowsPerPass"/>), or null when it has none.</summary>
        public static int? TwoPassRows(StepPlan step, BufferPlan input) => ThreadedRowsPerPass(step, input) ?? TwoThreadRowsPerPass(step, input);

        /// <summary>
        /// Tile rows per pass when threads share a Winograd step by passes (the two-pass variant's, else the step's own), or
        /// null when they share it by output channels. Threads get whole passes: a pass is the kernel's smallest unit.
        /// </summary>
        public static int? ThreadPassRows(StepPlan step, BufferPlan input) =>
            ChannelSplitUnits(step, input) is not null ? null : ThreadedRowsPerPass(step, input) ?? new WinogradTiling(step, input).RowsPerPass;

        /// <summary>Output channels per unit of a channel split: one Vector512, two Vector256, four Vector128 (M's alignment).</summary>
        public const int ChannelUnit = 16;

        /// <summary>Bytes of transformed weights U from which threads split a Winograd step by output channels (see <see cref="ChannelSplitUnits"/>).</summary>
        public const long ChannelSplitBytes = 2L << 20;

        /// <summary>
        /// Units of <see cref="ChannelUnit"/> output channels that threads split a Winograd step into, or null when threads split it by
        /// tile rows. A step whose transformed weights U are larger than L2 (ResNet-18's layer3: 256 → 256 channels, 9.4 MB;
        /// layer2: 128 → 128, 2.4 MB) is bound by streaming U once per pass: split by tile rows, every thread streams all of U;
        /// split by output channels, each thread streams its share of U once and repeats only the input transform (about 2% of
        /// the step's arithmetic at 256 channels). Measured on Zen 5 (AVX-512, `--profile resnet18`, per-step medians, one
        /// thread → two): layer3 745–769 → 417–461 µs by channels (710–800 µs by tile rows); layer2 520–572 → 328–400 µs by
        /// channels (437–462 µs by tile rows). Each thread runs the one-thread kernel's passes over all tile rows, so the result
        /// is bit-for-bit the one-thread result.
        /// </summary>
        public static int? ChannelSplitUnits(StepPlan step, BufferPlan input)
        {
            var tiling = new WinogradTiling(step, input);
            int units = tiling.OutPadded / ChannelUnit;
            bool large = ChannelSplitForTests ?? tiling.TransformedWeightBytes >= ChannelSplitBytes;
            return large && units >= 2 ? units : null;
        }

        /// <summary>Test hook (per thread, like the others): true splits every Winograd step by channels on threads, false none; null: by size.</summary>
        [System.ThreadStatic] internal static bool? ChannelSplitForTests;

        /// <summary>Bytes of U = G·g·Gᵀ for all 36 positions (as packed: output channels rounded up to whole vectors).</summary>
        public long TransformedWeightBytes => (long)Positions * InChannels * OutPadded * sizeof(float);

        /// <param name="rowsPerPass">Null: the measured choice (<see cref="RowsOf"/>); a number: that many (the threaded variant).</param>
        public WinogradTiling(StepPlan step, BufferPlan input, int? rowsPerPass = null)
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
            RowsPerPass = rowsPerPass is int forced ? System.Math.Max(1, System.Math.Min(forced, TileRows)) : RowsOf(TileRows, TilesPerRow, InPadded, OutPadded);
            TilesPerPass = RowsPerPass * TilesPerRow;
        }

        // The two hooks are per thread: tests set them around planning and emitting on their own thread (tests run in parallel).

        /// <summary>Test hook: forces the tile rows per pass (tests of short passes and measurements). Null: <see cref="RowsOf"/> decides.</summary>
        [System.ThreadStatic] internal static int? RowsPerPassOverride;

        /// <summary>
        /// Test hook: Forward calls each Winograd kernel twice, for tile rows [0, split) and [split, rows), as a multi-threaded
        /// caller would hand out ranges (the ranges need not be multiples of the rows per pass). Null: one call for all rows.
        /// </summary>
        [System.ThreadStatic] internal static int? SplitCallsForTests;

        /// <summary>
        /// Tile rows per pass: the fewest that give the 36 products at least <see cref="TargetTilesPerPass"/> tiles (rows of
        /// M), among the counts that divide the tile rows (so no pass of the whole range multiplies stale tiles), and all of
        /// them when none does; fewer while V and M of a pass would exceed <see cref="MaxPassBytes"/>. Measured on Zen 5
        /// (V512, one conv3x3 + BN + ReLU, µs, 1 row per pass → chosen): 64→64 at 56x56 439 → 421 (2 rows; 7 rows: 422),
        /// 256→256 at 14x14 618 → 531 (4 rows; 2 rows: 623), 128→128 at 14x14 170 → 157 (4), 64→64 at 7x7 13.6 → 10.3 (2),
        /// 128→128 at 28x28 395 → 389 (7 rows). More tiles per pass reuse each transformed weight more (U is read once per
        /// pass) and give the register block full tiles; past a few MiB, V and M leave L2 between the phases.
        /// </summary>
        private static int RowsOf(int tileRows, int tilesPerRow, int inPadded, int outPadded)
        {
            if (RowsPerPassOverride is int forced) return System.Math.Max(1, System.Math.Min(forced, tileRows));
            long bytesPerRow = PassBytesOf(tilesPerRow, inPadded, outPadded);
            int rows = tileRows;
            for (int p = 1; p <= tileRows; p++)
                if (tileRows % p == 0 && p * tilesPerRow >= TargetTilesPerPass)
                {
                    rows = p;
                    break;
                }
            while (rows > 1 && rows * bytesPerRow > MaxPassBytes) rows--;
            return rows;
        }

        /// <summary>Bytes of V and M for one tile row of a pass.</summary>
        public long PassBytesPerTileRow => PassBytesOf(TilesPerRow, InPadded, OutPadded);

        private static long PassBytesOf(int tilesPerRow, int inPadded, int outPadded) => (long)Positions * tilesPerRow * (inPadded + outPadded) * 4;

        /// <summary>Tiles per pass the planner aims for (rows of each of the 36 products).</summary>
        public const int TargetTilesPerPass = 16;

        /// <summary>Most bytes of V and M one pass may use (see <see cref="RowsOf"/>).</summary>
        public const long MaxPassBytes = 4L << 20;

        /// <summary>Tile rows computed per pass: their input transforms, then the 36 products over all their tiles, then their outputs.</summary>
        public int RowsPerPass { get; }
        /// <summary>Tiles per pass: the row count of the 36 matrix products.</summary>
        public int TilesPerPass { get; }

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
        public long VFloats => (long)Positions * TilesPerPass * InPadded;
        public long MOffset => VOffset + VFloats;
        public long MFloats => (long)Positions * TilesPerPass * OutPadded;
        /// <summary>36 vectors of up to 16 lanes: a tile's intermediate (the first half of a two-sided transform).</summary>
        public long TOffset => MOffset + MFloats;
        public const long TFloats = Positions * 16;
        public long ZeroOffset => TOffset + TFloats;
        public long ZeroFloats => NeedsZeroRow ? BufferPlan.RoundUp(InputRowFloats, 16) : 0;

        /// <summary>Floats of workspace one call of the kernel uses (for any range of tile rows: a pass at a time).</summary>
        public long WorkspaceFloats => ZeroOffset + ZeroFloats;
    }
}
