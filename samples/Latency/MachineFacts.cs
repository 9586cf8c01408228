using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Diagnostics;

namespace Latency
{
    /// <summary>What the numbers depend on, printed before them: CPU, vector hardware, runtime, timer.</summary>
    internal static class MachineFacts
    {
        private const string CpuInfoPath = "/proc/cpuinfo";

        public static void Print(TextWriter output)
        {
            string[] cpuInfo = File.Exists(CpuInfoPath) ? File.ReadAllLines(CpuInfoPath) : Array.Empty<string>();
            string model = CpuInfoField(cpuInfo, "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
            output.WriteLine($"CPU:            {model} ({Environment.ProcessorCount} logical processors visible)");
            // Cloud VMs often name every AMD part "AMD EPYC"; family and model tell the generations apart (AMD family 25:
            // Zen 3 or Zen 4 by model, 26: Zen 5).
            output.WriteLine($"CPU id, L2:     family {CpuInfoField(cpuInfo, "cpu family") ?? "?"} model {CpuInfoField(cpuInfo, "model") ?? "?"}, " +
                             $"L2 {Level2CacheSize()} per core");
            output.WriteLine($"AVX-512F flag:  {Avx512Flag(CpuInfoField(cpuInfo, "flags"))}");
            output.WriteLine($"SIMD in .NET:   Vector512 {Accelerated(Vector512.IsHardwareAccelerated)}, Vector256 {Accelerated(Vector256.IsHardwareAccelerated)}, Vector128 {Accelerated(Vector128.IsHardwareAccelerated)}");
            output.WriteLine($".NET:           {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture})");
            output.WriteLine($"Timer:          Stopwatch.GetTimestamp, {Stopwatch.Frequency:N0} ticks/s (one tick = {1e9 / Stopwatch.Frequency:0.#} ns)");
        }

        private static string Accelerated(bool accelerated) => accelerated ? "accelerated" : "not accelerated";

        /// <summary>The value of the first "key : value" line of /proc/cpuinfo whose key is exactly <paramref name="key"/>, or null.</summary>
        private static string? CpuInfoField(string[] cpuInfo, string key)
        {
            foreach (string line in cpuInfo)
            {
                int colon = line.IndexOf(':');
                if (colon > 0 && line[..colon].Trim() == key) return line[(colon + 1)..].Trim();
            }
            return null;
        }

        /// <summary>The level-2 cache of CPU 0 as Linux reports it (e.g. "1024K"), or "unknown".</summary>
        private static string Level2CacheSize()
        {
            const string path = "/sys/devices/system/cpu/cpu0/cache/index2/size";
            return File.Exists(path) ? File.ReadAllText(path).Trim() : "unknown";
        }

        private static string Avx512Flag(string? flags)
        {
            if (flags is null) return $"unknown (no {CpuInfoPath})";
            return flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("avx512f") ? "present" : "absent";
        }
    }
}
