using System.Globalization;
using System.Security.Cryptography;

namespace EdgeGateway.TestSupport.Modbus;

/// <summary>
/// The libmodbus slave of modbus_peer.c (embedded in this assembly), compiled with gcc and pkg-config on first
/// use (once per source content, in the temp directory) and run as a child process: a TCP slave on a free
/// port, or an RTU slave on a serial device such as one end of a <see cref="SocatPtyPair"/>.
/// </summary>
public sealed class LibModbusPeer : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<Task<string>> s_binary = new(CompileAsync);

    private readonly TestProcess _process;

    private LibModbusPeer(TestProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static Task<string> BinaryAsync() => s_binary.Value;

    /// <summary>A TCP slave on 127.0.0.1 (a free port unless <paramref name="port"/> is given).</summary>
    public static async Task<LibModbusPeer> StartTcpAsync(int port = 0, int? silentUnit = null)
    {
        var args = new List<string> { "tcp", "--port", port.ToString(CultureInfo.InvariantCulture) };
        if (silentUnit is { } unit)
        {
            args.AddRange(["--silent", unit.ToString(CultureInfo.InvariantCulture)]);
        }

        var process = TestProcess.Start(await BinaryAsync(), args);
        try
        {
            var line = await process.WaitForLineAsync(l => l.StartsWith("PORT ", StringComparison.Ordinal), StartTimeout);
            return new LibModbusPeer(process, int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>An RTU slave with address <paramref name="slave"/> on a serial device.</summary>
    public static async Task<LibModbusPeer> StartRtuAsync(string device, int baud, byte slave)
    {
        var process = TestProcess.Start(await BinaryAsync(), "rtu", device,
            baud.ToString(CultureInfo.InvariantCulture), slave.ToString(CultureInfo.InvariantCulture));
        try
        {
            await process.WaitForLineAsync(l => l == "READY", StartTimeout);
            return new LibModbusPeer(process, 0);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>An RTU slave on one end of a fresh socat pty pair; the master opens <see cref="SocatPtyPair.Second"/>.</summary>
    public static async Task<(SocatPtyPair Pty, LibModbusPeer Peer)> StartRtuOnPtyAsync(int baud, byte slave)
    {
        var pty = await SocatPtyPair.StartAsync();
        try
        {
            return (pty, await StartRtuAsync(pty.First, baud, slave));
        }
        catch
        {
            await pty.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<string> CompileAsync()
    {
        byte[] code;
        await using (var resource = typeof(LibModbusPeer).Assembly.GetManifestResourceStream("modbus_peer.c")
            ?? throw new InvalidOperationException("modbus_peer.c is not embedded"))
        using (var buffer = new MemoryStream())
        {
            await resource.CopyToAsync(buffer);
            code = buffer.ToArray();
        }

        var hash = Convert.ToHexString(SHA256.HashData(code))[..16];
        var binary = Path.Combine(Path.GetTempPath(), $"edgegw-modbus-peer-{hash}");
        if (File.Exists(binary))
        {
            return binary;
        }

        var source = $"{binary}.{Environment.ProcessId}.c";
        await File.WriteAllBytesAsync(source, code);

        // Built under a unique name and renamed, so parallel test runs never see a half-written binary.
        var temporary = $"{binary}.{Environment.ProcessId}.tmp";
        var gcc = await TestProcess.RunAsync("/bin/sh",
            ["-c", "gcc -O2 -Wall -o \"$1\" \"$2\" $(pkg-config --cflags --libs libmodbus)", "sh", temporary, source],
            TimeSpan.FromMinutes(2));
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"compiling modbus_peer.c failed (libmodbus-dev, pkg-config and gcc are needed): {gcc.Stderr}");
        }

        File.Delete(source);
        File.Move(temporary, binary, overwrite: true);
        return binary;
    }
}
