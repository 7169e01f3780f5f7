using System.Security.Cryptography;
using System.Text.Json;
using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Tests.Cli;

public sealed class CommandCommandsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgegw-cmd-" + Guid.NewGuid().ToString("N"));

    private static async Task<(int Code, string Out, string Err)> Edgegw(params string[] args)
    {
        var (code, stdout, stderr) = await EdgegwProcess.RunAsync(args);
        return (code, stdout, stderr);
    }

    [Fact]
    public async Task KeygenThenSign_TokenVerifiesWithThePublicKey()
    {
        var keygen = await Edgegw("command", "keygen", "--out", _dir);
        Assert.Equal(0, keygen.Code);
        var priv = Path.Combine(_dir, "hub-command.key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(priv));
        }

        var sign = await Edgegw("command", "sign", "--key", priv, "--aud", "wz-oh-lilong-01", "--ttl", "5m",
            "--cmd", "broadcast", "--args", """{"message":"evacuate","repeat":2}""");
        Assert.True(sign.Code == 0, sign.Err);
        using var pub = ECDsa.Create();
        pub.ImportFromPem(File.ReadAllText(Path.Combine(_dir, "hub-command.pub")));
        Assert.True(CommandToken.TryVerify(sign.Out.Trim(), pub, out var claims, out _, out var error), error);
        Assert.Equal("wz-oh-lilong-01", claims!.Audience);
        Assert.Equal("broadcast", claims.Command);
        Assert.Equal(TimeSpan.FromMinutes(5), claims.Expires - claims.IssuedAt);
        Assert.Equal(2, claims.Args!.Value.GetProperty("repeat").GetInt32());
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse($"\"{claims.Jti}\"").RootElement.ValueKind);
    }

    [Fact]
    public async Task Keygen_Twice_RefusesToOverwriteTheKey()
    {
        Assert.Equal(0, (await Edgegw("command", "keygen", "--out", _dir)).Code);
        var again = await Edgegw("command", "keygen", "--out", _dir);
        Assert.Equal(1, again.Code);
        Assert.Contains("refusing", again.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2h", "broadcast", """{"message":"x"}""")]
    [InlineData("5m", "reboot", null)]
    [InlineData("5m", "broadcast", """{"volume":11}""")]
    [InlineData("5m", "broadcast", "not json")]
    public async Task Sign_BadTtlCommandOrArgs_ExitsWithUsage(string ttl, string cmd, string? args)
    {
        Assert.Equal(0, (await Edgegw("command", "keygen", "--out", _dir)).Code);
        string[] argv = ["command", "sign", "--key", Path.Combine(_dir, "hub-command.key"), "--aud", "*", "--ttl", ttl, "--cmd", cmd];
        if (args is not null)
        {
            argv = [.. argv, "--args", args];
        }

        var r = await Edgegw(argv);
        Assert.Equal(2, r.Code);
        Assert.NotEmpty(r.Err);
        Assert.Empty(r.Out);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
