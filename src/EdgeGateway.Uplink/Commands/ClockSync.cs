using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EdgeGateway.Uplink.Commands;

/// <summary>
/// Whether something outside this process vouches for the wall clock. Only then may the command gate raise
/// its clock floor from the local clock: a bad RTC or one wild reading must not lock the station out of
/// judging time (or, worse, make it accept expired commands once the clock is put right).
/// </summary>
public interface IClockSync
{
    bool IsSynchronized();
}

/// <summary>
/// The kernel's word on the clock: systemd-timesyncd's flag file, else <c>adjtimex</c> (read only) with
/// <c>STA_UNSYNC</c> clear and a maximum error under <see cref="MaxError"/>. Anything unreadable counts as
/// not synchronised: the floor then stays where it is, which is the safe side.
/// </summary>
public sealed class KernelClockSync(string flagFile = KernelClockSync.TimesyncFlag) : IClockSync
{
    public const string TimesyncFlag = "/run/systemd/timesync/synchronized";

    /// <summary>An NTP-disciplined kernel clock that admits more error than this is not trusted.</summary>
    public static readonly TimeSpan MaxError = TimeSpan.FromSeconds(1);

    // struct timex on LP64 Linux (x64, arm64): int modes (+4 padding), long offset, long freq,
    // long maxerror (us) at byte 24, long esterror, int status at byte 40. The buffer is larger than the struct.
    private const int MaxErrorOffset = 24;
    private const int StatusOffset = 40;
    private const int StaUnsync = 0x0040;
    private const int TimeError = 5;

    public bool IsSynchronized()
    {
        if (File.Exists(flagFile))
        {
            return true;
        }

        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8)
        {
            return false;
        }

        var timex = new byte[512];
        try
        {
            var state = Adjtimex(timex);
            if (state < 0 || state == TimeError)
            {
                return false;
            }

            var status = BinaryPrimitives.ReadInt32LittleEndian(timex.AsSpan(StatusOffset));
            var maxErrorUs = BinaryPrimitives.ReadInt64LittleEndian(timex.AsSpan(MaxErrorOffset));
            return (status & StaUnsync) == 0 && maxErrorUs >= 0 && maxErrorUs < MaxError.Ticks / 10;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "adjtimex")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Adjtimex([In, Out] byte[] timex);
}
