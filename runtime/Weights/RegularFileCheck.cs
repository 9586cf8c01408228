using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace FusedNet
{
    /// <summary>
    /// Makes <see cref="SafetensorsFile.Open"/> accept regular files only (symbolic links to them included).
    /// Opening a FIFO for reading blocks until a writer appears (forever, if none does), a character device such
    /// as /dev/zero never ends, and a directory or socket cannot be read at all; each is rejected with an
    /// <see cref="InvalidDataException"/> before anything blocks.
    /// </summary>
    /// <remarks>
    /// .NET has no public API for a file's type: <see cref="FileSystemInfo.Attributes"/> reports a FIFO or a
    /// device as <see cref="FileAttributes.Normal"/>, <see cref="File.GetUnixFileMode(string)"/> returns the
    /// permission bits only, and <see cref="File.OpenHandle"/> opens without O_NONBLOCK, so it is the open
    /// itself that blocks on a FIFO. On Linux the type therefore comes from <c>statx(2)</c> (glibc 2.28+,
    /// musl 1.2.5+), whose buffer layout is the same on every architecture: once on the path before opening
    /// (following symbolic links, as the open does) and once on the opened descriptor, which also catches a
    /// path replaced in between by a device. Only a path swapped for a FIFO in the microseconds between the two
    /// can still block the open; that takes an attacker who can already write the file's directory.
    /// Where statx is unavailable (another OS, an old libc, a seccomp filter that refuses it), directories are
    /// rejected by <see cref="Directory.Exists(string)"/> before opening, and anything that cannot be read by
    /// position (pipes, sockets, terminals) right after opening, by <see cref="FileStorage"/>.
    /// </remarks>
    internal static class RegularFileCheck
    {
        private const int AtFdCwd = -100;
        private const int AtEmptyPath = 0x1000;
        private const uint StatxType = 0x1;
        private const int StatxBufferSize = 256; // sizeof(struct statx), fixed by the kernel ABI.
        private const int StatxMaskOffset = 0;
        private const int StatxModeOffset = 28;

        private const int FileTypeMask = 0xF000; // S_IFMT
        private const int RegularFileType = 0x8000; // S_IFREG
        private const int DirectoryType = 0x4000; // S_IFDIR

        /// <summary>Before opening: throws unless <paramref name="path"/> is (a link to) a regular file or does not exist.</summary>
        public static void CheckPath(string path)
        {
            if (path.Contains('\0')) return; // Not a path: File.OpenHandle rejects it with ArgumentException.
            int? type = OperatingSystem.IsLinux() ? TryGetType(AtFdCwd, path, flags: 0) : null;
            if (type is int known)
            {
                if (known != RegularFileType) throw NotRegular(path, known);
                return;
            }
            // Missing files and permission errors are left to the open, which reports them with .NET's own exceptions.
            if (Directory.Exists(path)) throw NotRegular(path, DirectoryType);
        }

        /// <summary>After opening: throws unless <paramref name="handle"/> is a regular file (when the OS can tell).</summary>
        public static void CheckHandle(SafeFileHandle handle, string path)
        {
            if (!OperatingSystem.IsLinux()) return;
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                int? type = TryGetType((int)handle.DangerousGetHandle(), "", AtEmptyPath);
                if (type is int known && known != RegularFileType) throw NotRegular(path, known);
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        /// <summary>The rejection, naming the file and what it is instead.</summary>
        public static InvalidDataException NotRegular(string path, string kind) =>
            new($"Safetensors file '{path}' is not a regular file ({kind}); only regular files and symbolic links to " +
                "them are accepted, since anything else can block or never end when read");

        private static InvalidDataException NotRegular(string path, int type) => NotRegular(path, Describe(type));

        private static string Describe(int type) => type switch
        {
            0x1000 => "a FIFO",
            0x2000 => "a character device",
            DirectoryType => "a directory",
            0x6000 => "a block device",
            0xA000 => "a symbolic link",
            0xC000 => "a socket",
            _ => $"file type 0x{type:X}",
        };

        /// <summary>The S_IFMT bits of the file, or null when statx cannot tell (no such file, no statx, ...).</summary>
        private static unsafe int? TryGetType(int directory, string path, int flags)
        {
            var statx = (delegate* unmanaged<int, byte*, int, uint, byte*, int>)s_statx.Value;
            if (statx == null) return null;

            byte[] pathBytes = new byte[Encoding.UTF8.GetByteCount(path) + 1]; // NUL-terminated
            Encoding.UTF8.GetBytes(path, pathBytes);
            byte* buffer = stackalloc byte[StatxBufferSize];
            new Span<byte>(buffer, StatxBufferSize).Clear();

            int result;
            fixed (byte* pathPointer = pathBytes)
                result = statx(directory, pathPointer, flags, StatxType, buffer);
            // Any failure (no such file, no permission, an old kernel's ENOSYS, a seccomp filter's EPERM) leaves the
            // decision to the fallback checks and the open, which report missing files and permissions themselves.
            if (result != 0) return null;
            uint mask = *(uint*)(buffer + StatxMaskOffset);
            if ((mask & StatxType) == 0) return null;
            return *(ushort*)(buffer + StatxModeOffset) & FileTypeMask;
        }

        /// <summary>
        /// libc's statx, looked up once; null without one. Loaded by name rather than with [LibraryImport("libc")]:
        /// CoreCLR maps "libc" to libc.so.6 but NativeAOT need not, and on glibc "libc.so" is a linker script that
        /// cannot be loaded. "libc.so.6" is glibc's; musl's loader answers any "libc.so*" name with itself.
        /// </summary>
        private static readonly Lazy<IntPtr> s_statx = new(LoadStatx);

        private static IntPtr LoadStatx()
        {
            foreach (string name in new[] { "libc.so.6", "libc.so" })
            {
                if (NativeLibrary.TryLoad(name, out IntPtr library) && NativeLibrary.TryGetExport(library, "statx", out IntPtr function))
                    return function;
            }
            return IntPtr.Zero;
        }
    }
}
