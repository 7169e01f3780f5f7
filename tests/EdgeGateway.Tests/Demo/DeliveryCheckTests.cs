using System.Text.Json.Nodes;
using EdgeGateway.Demo;

namespace EdgeGateway.Tests.Demo;

public sealed class DeliveryCheckTests
{
    private static HubMessage Alert(string id, long seq) =>
        new("ews/s1/alert", HubMessageKind.Alert, false, "", new JsonObject { ["id"] = id, ["seq"] = seq }, DateTimeOffset.UnixEpoch);

    [Fact]
    public void DuplicateIds_SameIdTwice_ReportsIt()
    {
        Assert.Equal(["b"], DeliveryCheck.DuplicateIds([Alert("a", 1), Alert("b", 2), Alert("b", 2)]));
        Assert.Empty(DeliveryCheck.DuplicateIds([Alert("a", 1), Alert("b", 2)]));
    }

    [Fact]
    public void OutOfOrder_SeqGoingBack_ReportsThePair()
    {
        Assert.Equal([(5L, 3L)], DeliveryCheck.OutOfOrder([Alert("a", 1), Alert("b", 5), Alert("c", 3), Alert("d", 7)]));
        Assert.Empty(DeliveryCheck.OutOfOrder([Alert("a", 1), Alert("b", 5)]));
    }

    [Fact]
    public void MissingSeqs_GapBetweenLowestAndHighest_ListsTheGap()
    {
        Assert.Equal([3L, 4L], DeliveryCheck.MissingSeqs([Alert("a", 2), Alert("b", 5), Alert("c", 6)]));
        Assert.Empty(DeliveryCheck.MissingSeqs([]));
    }

    [Theory]
    [InlineData("status", HubMessageKind.Status)]
    [InlineData("alert", HubMessageKind.Alert)]
    [InlineData("alert/cap", HubMessageKind.AlertCap)]
    [InlineData("cmd/result", HubMessageKind.CommandResult)]
    [InlineData("cmd", HubMessageKind.Other)]
    public void Classify_TopicUnderStation_NamesTheKind(string topic, HubMessageKind kind)
    {
        Assert.Equal(kind, HubMonitor.Classify(topic));
    }
}
