using System.Text;

namespace FusedNet.Generator.Helpers
{
    /// <summary>A small indenting text writer for generated source (no SyntaxFactory, no NormalizeWhitespace).</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        public int Indent
        {
            get => _indent;
            set => _indent = value < 0 ? 0 : value;
        }

        /// <summary>Writes one line at the current indentation (an empty line stays empty).</summary>
        public SourceWriter Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
            _text.Append('\n');
            return this;
        }

        /// <summary>Writes "{" and indents.</summary>
        public SourceWriter Open(string? header = null)
        {
            if (!string.IsNullOrEmpty(header)) Line(header!);
            Line("{");
            _indent++;
            return this;
        }

        /// <summary>Unindents and writes "}" (plus an optional suffix such as ";").</summary>
        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
