using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace FusedNet
{
    /// <summary>
    /// The bytes behind a <see cref="SafetensorsFile"/>: a file read on demand by position, or an array.
    /// Positional reads keep no shared cursor, so concurrent readers are safe.
    /// </summary>
    internal abstract class SafetensorsStorage : IDisposable
    {
        public abstract long Length { get; }

        /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; throws if the bytes are not there.</summary>
        public abstract void ReadExactly(long offset, Span<byte> destination);

        public virtual void Dispose()
        {
        }
    }

    internal sealed class FileStorage : SafetensorsStorage
    {
        private readonly SafeFileHandle _handle;
        private readonly string _displayName;

        public FileStorage(string path)
        {
            _displayName = path;
            RegularFileCheck.CheckPath(path); // Before the open, which would block on a FIFO.
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            try
            {
                RegularFileCheck.CheckHandle(_handle, path);
                Length = RandomAccess.GetLength(_handle);
            }
            catch (NotSupportedException)
            {
                // RandomAccess refuses handles without positions: a pipe, socket or terminal the checks above could not see.
                _handle.Dispose();
                throw RegularFileCheck.NotRegular(path, "it cannot be read by position");
            }
            catch
            {
                _handle.Dispose();
                throw;
            }
        }

        public override long Length { get; }

        public override void ReadExactly(long offset, Span<byte> destination)
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            while (!destination.IsEmpty)
            {
                int read = RandomAccess.Read(_handle, destination, offset);
                if (read == 0)
                {
                    // Validated at open, so the file must have been truncated since.
                    throw new InvalidDataException(
                        $"Safetensors file '{_displayName}': expected {destination.Length} more bytes at offset {offset}, " +
                        "but the file ends there (was it truncated after it was opened?)");
                }
                destination = destination[read..];
                offset += read;
            }
        }

        public override void Dispose() => _handle.Dispose();
    }

    internal sealed class MemoryStorage : SafetensorsStorage
    {
        private readonly byte[] _bytes;

        public MemoryStorage(byte[] bytes) => _bytes = bytes;

        public override long Length => _bytes.Length;

        public override void ReadExactly(long offset, Span<byte> destination) =>
            _bytes.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);
    }
}
