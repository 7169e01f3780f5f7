namespace EdgeGateway.Uplink.Tests.Outbox;

/// <summary>
/// A full disk for one outbox, made with SQLite's own limit: after a VACUUM (no free pages left to reuse) the
/// file may not grow by a page, so every commit that needs one fails with SQLITE_FULL, as on a full disk.
/// </summary>
internal static class FullDisk
{
    public static void Fill(Uplink.Outbox.Outbox outbox)
    {
        outbox.ExecForTests("VACUUM");
        var pages = outbox.ExecForTests("PRAGMA page_count");
        Assert.Equal(pages, outbox.ExecForTests($"PRAGMA max_page_count={pages}"));
    }

    public static void Free(Uplink.Outbox.Outbox outbox) => outbox.ExecForTests("PRAGMA max_page_count=1000000");
}
