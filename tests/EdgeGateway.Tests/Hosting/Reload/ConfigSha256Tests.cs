using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Hosting.Reload;

namespace EdgeGateway.Tests.Hosting.Reload;

public sealed class ConfigSha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void HashData_FipsVectors_MatchesTheStandard(string text, string expected)
    {
        Assert.Equal(expected, Convert.ToHexStringLower(ConfigSha256.HashData(Encoding.ASCII.GetBytes(text))));
    }

    [Fact]
    public void HashData_EveryLengthAroundTheBlockEdges_MatchesThePlatformSha256()
    {
        // Lengths 0..300 cross the one- and two-block padding cases (55, 56, 63, 64 bytes ...); 70 000 is a
        // large configuration file.
        var random = new Random(15);
        foreach (var length in Enumerable.Range(0, 301).Append(70_000))
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA256.HashData(data), ConfigSha256.HashData(data));
        }
    }

    [Fact]
    public void Hash_IsTheLowercaseHexOfSha256()
    {
        var bytes = Encoding.UTF8.GetBytes("station: { id: river-01 }\n");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), StationConfigMonitor.Hash(bytes));
    }
}
