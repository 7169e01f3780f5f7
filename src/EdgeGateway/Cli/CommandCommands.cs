using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EdgeGateway.Uplink.Commands;

namespace EdgeGateway.Cli;

/// <summary>
/// <c>edgegw command keygen --out DIR</c> and <c>edgegw command sign ...</c>: the hub side of signed
/// commands (and a way to make them in tests and on a bench).
/// </summary>
public static class CommandCommands
{
    public const string PrivateKeyFile = "hub-command.key";
    public const string PublicKeyFile = "hub-command.pub";

    public static Command Build(TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var command = new Command("command", "Hub command keys and signed command tokens (JWS compact, ES256)");
        command.Subcommands.Add(BuildKeygen());
        command.Subcommands.Add(BuildSign(time));
        return command.WithExamples(
            "edgegw command keygen --out keys");
    }

    private static Command BuildKeygen()
    {
        var outDir = new Option<string>("--out") { Description = "Directory for hub-command.key (private, 0600) and hub-command.pub", Required = true };
        var keygen = new Command("keygen", "Create an ECDSA P-256 key pair for signing commands");
        keygen.Options.Add(outDir);
        keygen.SetAction(parse =>
        {
            var dir = parse.GetValue(outDir)!;
            try
            {
                Directory.CreateDirectory(dir);
                var priv = Path.Combine(dir, PrivateKeyFile);
                var pub = Path.Combine(dir, PublicKeyFile);
                if (File.Exists(priv))
                {
                    Console.Error.WriteLine($"edgegw: {priv} exists; refusing to overwrite a signing key");
                    return ExitCodes.Failure;
                }

                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                // Create the private key file with 0600 before any secret is written to it.
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var stream = new FileStream(priv, create))
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(key.ExportPkcs8PrivateKeyPem());
                    writer.Write('\n');
                }

                File.WriteAllText(pub, key.ExportSubjectPublicKeyInfoPem() + "\n");
                Console.WriteLine(priv);
                Console.WriteLine(pub);
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"edgegw: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return keygen.WithExamples(
            "edgegw command keygen --out keys");
    }

    private static Command BuildSign(TimeProvider time)
    {
        var keyFile = new Option<string>("--key") { Description = "PEM private key (from command keygen)", Required = true };
        var aud = new Option<string>("--aud") { Description = "Station id, or * for every station", Required = true };
        var ttl = new Option<string>("--ttl") { Description = "Validity: 30s, 5m, 1h (at most 1h)", DefaultValueFactory = _ => "5m" };
        var cmd = new Option<string>("--cmd") { Description = "broadcast | stop | test | clear | status", Required = true };
        var args = new Option<string?>("--args") { Description = "Arguments as a JSON object, e.g. {\"message\":\"evacuate\"}" };
        var sign = new Command("sign", "Print a signed command token (JWS compact) for P/S/cmd or P/all/cmd");
        sign.Options.Add(keyFile);
        sign.Options.Add(aud);
        sign.Options.Add(ttl);
        sign.Options.Add(cmd);
        sign.Options.Add(args);
        sign.SetAction(parse =>
        {
            if (!TryParseDuration(parse.GetValue(ttl)!, out var lifetime) || lifetime <= TimeSpan.Zero || lifetime > CommandLimits.MaxLifetime)
            {
                Console.Error.WriteLine("edgegw: --ttl must be a duration between 1s and 1h (e.g. 5m)");
                return CliUsage.Fail(parse);
            }

            var audience = parse.GetValue(aud)!;
            var name = parse.GetValue(cmd)!;
            var json = parse.GetValue(args);
            var jti = Guid.NewGuid().ToString("D");
            JsonElement? parsedArgs = null;
            try
            {
                if (json is not null)
                {
                    parsedArgs = JsonDocument.Parse(json).RootElement.Clone();
                }
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"edgegw: --args is not JSON: {e.Message}");
                return CliUsage.Fail(parse);
            }

            // Refuse here what every station would refuse, rather than let the hub send it.
            if (!StationCommand.TryCreate(jti, name, parsedArgs, out _, out var error))
            {
                Console.Error.WriteLine($"edgegw: {error}");
                return CliUsage.Fail(parse);
            }

            try
            {
                using var key = ECDsa.Create();
                key.ImportFromPem(File.ReadAllText(parse.GetValue(keyFile)!));
                var now = time.GetUtcNow();
                Console.WriteLine(CommandToken.Sign(key, jti, audience, now, now + lifetime, name, json));
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or CryptographicException)
            {
                Console.Error.WriteLine($"edgegw: key {parse.GetValue(keyFile)}: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return sign.WithExamples(
            "edgegw command sign --key keys/hub-command.key --aud station-01 --cmd test",
            "edgegw command sign --key keys/hub-command.key --aud '*' --ttl 1h --cmd broadcast --args '{\"message\":\"evacuate\"}'");
    }

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                && double.IsFinite(n))
            {
                value = TimeSpan.FromSeconds(n * scale);
                return true;
            }
        }

        return false;
    }
}
