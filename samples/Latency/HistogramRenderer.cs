using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace Latency
{
    /// <summary>
    /// Draws a <see cref="LogHistogram"/> as text (one line per bucket, engines side by side) or as a small SVG. Bar
    /// lengths follow log10(count + 1) so that a bucket holding one call out of 20,000 is still visible next to the mode;
    /// the exact counts are printed beside the bars.
    /// </summary>
    internal static class HistogramRenderer
    {
        private const int TextBarWidth = 30;
        private const char Block = '█';

        public static void WriteText(TextWriter output, LogHistogram histogram)
        {
            double scale = LogScale(histogram.MaxCount());
            var header = new StringBuilder("  latency (µs)     ");
            foreach (string engine in histogram.Engines) header.Append(" │ ").Append(engine.PadRight(TextBarWidth + 8));
            output.WriteLine(header.ToString().TrimEnd());
            for (int b = 0; b < histogram.BucketCount; b++)
            {
                var line = new StringBuilder();
                line.Append(CultureInfo.InvariantCulture, $"  {histogram.LowerEdge(b),7:F1} – {histogram.UpperEdge(b),7:F1}");
                foreach (long[] counts in histogram.Counts)
                {
                    long count = counts[b];
                    line.Append(" │ ").Append(new string(Block, BarLength(count, scale, TextBarWidth)).PadRight(TextBarWidth))
                        .Append(count == 0 ? "        " : count.ToString("N0", CultureInfo.InvariantCulture).PadLeft(7) + " ");
                }
                output.WriteLine(line.ToString().TrimEnd());
            }
            output.WriteLine($"  (buckets √2 wide; bar length ∝ log10(count + 1), counts beside the bars)");
        }

        /// <summary>Writes grouped vertical bars, one colour per engine, log-count y axis, bucket edges on the x axis.</summary>
        public static void WriteSvg(string path, LogHistogram histogram, string title)
        {
            const int plotHeight = 240, barWidth = 12, groupGap = 8, left = 60, top = 40, bottom = 70;
            string[] colours = { "#1f77b4", "#ff7f0e", "#2ca02c" };
            int groupWidth = histogram.Engines.Count * barWidth + groupGap;
            int width = left + histogram.BucketCount * groupWidth + 150;
            int height = top + plotHeight + bottom;
            double scale = LogScale(histogram.MaxCount());
            var svg = new StringBuilder();
            svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">"));
            svg.AppendLine(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{left}\" y=\"20\" font-size=\"14\">{Escape(title)}</text>"));
            AppendCountAxis(svg, histogram.MaxCount(), scale, left, top, plotHeight);
            for (int b = 0; b < histogram.BucketCount; b++)
            {
                int x0 = left + b * groupWidth;
                for (int e = 0; e < histogram.Engines.Count; e++)
                {
                    long count = histogram.Counts[e][b];
                    int h = BarLength(count, scale, plotHeight);
                    svg.AppendLine(Invariant($"<rect x=\"{x0 + e * barWidth}\" y=\"{top + plotHeight - h}\" width=\"{barWidth - 1}\" height=\"{h}\" fill=\"{colours[e % colours.Length]}\"><title>{Escape(histogram.Engines[e])}: {count} calls in [{histogram.LowerEdge(b):F1}, {histogram.UpperEdge(b):F1}) µs</title></rect>"));
                }
                svg.AppendLine(Invariant($"<text x=\"{x0}\" y=\"{top + plotHeight + 12}\" transform=\"rotate(45 {x0} {top + plotHeight + 12})\">{histogram.LowerEdge(b):0.#}</text>"));
            }
            svg.AppendLine(Invariant($"<text x=\"{left}\" y=\"{height - 8}\">latency bucket lower edge (µs, √2 steps)</text>"));
            AppendLegend(svg, histogram, colours, left + histogram.BucketCount * groupWidth + 20, top);
            svg.AppendLine("</svg>");
            File.WriteAllText(path, svg.ToString());
        }

        private static void AppendCountAxis(StringBuilder svg, long maxCount, double scale, int left, int top, int plotHeight)
        {
            svg.AppendLine(Invariant($"<line x1=\"{left - 4}\" y1=\"{top}\" x2=\"{left - 4}\" y2=\"{top + plotHeight}\" stroke=\"black\"/>"));
            for (long tick = 1; tick <= maxCount; tick *= 10)
            {
                int y = top + plotHeight - BarLength(tick, scale, plotHeight);
                svg.AppendLine(Invariant($"<line x1=\"{left - 8}\" y1=\"{y}\" x2=\"{left - 4}\" y2=\"{y}\" stroke=\"black\"/>"));
                svg.AppendLine(Invariant($"<text x=\"{left - 10}\" y=\"{y + 4}\" text-anchor=\"end\">{tick}</text>"));
            }
            svg.AppendLine(Invariant($"<text x=\"12\" y=\"{top + plotHeight / 2}\" transform=\"rotate(-90 12 {top + plotHeight / 2})\" text-anchor=\"middle\">calls (log scale)</text>"));
        }

        private static void AppendLegend(StringBuilder svg, LogHistogram histogram, string[] colours, int x, int y)
        {
            for (int e = 0; e < histogram.Engines.Count; e++)
            {
                int rowY = y + e * 18;
                svg.AppendLine(Invariant($"<rect x=\"{x}\" y=\"{rowY}\" width=\"12\" height=\"12\" fill=\"{colours[e % colours.Length]}\"/>"));
                svg.AppendLine(Invariant($"<text x=\"{x + 18}\" y=\"{rowY + 10}\">{Escape(histogram.Engines[e])}</text>"));
            }
        }

        private static double LogScale(long maxCount) => Math.Log10(maxCount + 1);

        // At least one unit for any non-zero count, so a single outlier is never drawn as nothing.
        private static int BarLength(long count, double scale, int fullLength) =>
            count == 0 ? 0 : Math.Max(1, (int)Math.Round(fullLength * Math.Log10(count + 1) / scale));

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
