using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace EdgeGateway.Modbus.Tests.Peers;

/// <summary>
/// The libmodbus slave of Peers/modbus_peer.c, compiled with gcc and pkg-config on first use (once per source
/// content, in the temp directory) and run as a child process.
/// </summary>
internal sealed class LibModbusPeer : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<Task<string>> s_binary = new(CompileAsync);

    private readonly ExternalProcess _process;

    private LibModbusPeer(ExternalProcess process, int port)
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

        var process = ExternalProcess.Start(await BinaryAsync(), [.. args]);
        try
        {
            var line = await process.WaitForStdoutAsync(l => l.StartsWith("PORT ", StringComparison.Ordinal), StartTimeout);
            return new LibModbusPeer(process, int.Parse(line.AsSpan(5), CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>An RTU slave with address <paramref name="slave"/> on a serial device.</summary>
    public static async Task<LibModbusPeer> StartRtuAsync(string device, int baud, byte slave)
    {
        var process = ExternalProcess.Start(await BinaryAsync(), "rtu", device,
            baud.ToString(CultureInfo.InvariantCulture), slave.ToString(CultureInfo.InvariantCulture));
        try
        {
            await process.WaitForStdoutAsync(l => l == "READY", StartTimeout);
            return new LibModbusPeer(process, 0);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<string> CompileAsync()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Peers", "modbus_peer.c");
        var hash = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(source)))[..16];
        var binary = Path.Combine(Path.GetTempPath(), $"edgegw-modbus-peer-{hash}");
        if (File.Exists(binary))
        {
            return binary;
        }

        // Built under a unique name and renamed, so parallel test runs never see a half-written binary.
        var temporary = $"{binary}.{Environment.ProcessId}.tmp";
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("gcc -O2 -Wall -o \"$1\" \"$2\" $(pkg-config --cflags --libs libmodbus)");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(temporary);
        info.ArgumentList.Add(source);
        using var gcc = Process.Start(info) ?? throw new InvalidOperationException("cannot run gcc");
        var errors = await gcc.StandardError.ReadToEndAsync();
        await gcc.WaitForExitAsync();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"compiling {source} failed (libmodbus-dev, pkg-config and gcc are needed): {errors}");
        }

        File.Move(temporary, binary, overwrite: true);
        return binary;
    }
}
