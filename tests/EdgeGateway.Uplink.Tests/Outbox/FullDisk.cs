namespace EdgeGateway.Uplink.Tests.Outbox;

/// <summary>
/// A full disk for one outbox, made with SQLite's own limit: after a VACUUM (no free pages left to reuse) the
/// file may not grow by a page, so every commit that needs one fails with SQLITE_FULL, as on a full disk.
/// </summary>
internal static class FullDisk
{
    public static void Fill(Uplink.Outbox.Outbox outbox) => Fill(outbox.ExecForTests);

    public static void Free(Uplink.Outbox.Outbox outbox) => Free(outbox.ExecForTests);

    /// <summary>The same for any of our SQLite files, through its statement-for-tests hook.</summary>
    public static void Fill(Func<string, long> exec)
    {
        exec("VACUUM");
        var pages = exec("PRAGMA page_count");
        Assert.Equal(pages, exec($"PRAGMA max_page_count={pages}"));
    }

    public static void Free(Func<string, long> exec) => exec("PRAGMA max_page_count=1000000");
}
