namespace FusedNet
{
    /// <summary>
    /// SplitMix64 (Steele, Lea and Flood, 2014): a tiny PRNG defined by integer arithmetic alone, so a seed
    /// gives the same sequence on every platform and .NET version (unlike System.Random, whose algorithm
    /// is not part of its contract).
    /// </summary>
    internal struct SplitMix64
    {
        private ulong _state;

        public SplitMix64(ulong seed) => _state = seed;

        public ulong NextUInt64()
        {
            _state += 0x9E3779B97F4A7C15UL;
            return Mix(_state);
        }

        /// <summary>Uniform in [0, 1) with 24 random bits: every value is an exact float.</summary>
        public float NextUnitSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

        /// <summary>Uniform in (0, 1] with 53 random bits; never 0, so its logarithm is finite.</summary>
        public double NextUnitDoubleExcludingZero() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [low, high]: the affine map is done in double and rounded once to float.</summary>
        public float NextUniform(float low, float high) => (float)(low + ((double)high - low) * NextUnitSingle());

        /// <summary>The SplitMix64 output function, also a good 64-bit hash finaliser.</summary>
        public static ulong Mix(ulong z)
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
