namespace Bulwark.Core.Simulation;

/// <summary>What the demo API (CONTRACTS.md §6, src/Bulwark.Cli/Demo/DemoApi.cs) answers, so records carry real statuses.</summary>
internal static class DemoApiAnswers
{
    public const int MaxProductId = 50_000;
    public const int MaxUserId = 1_000;

    public static int Product(long id) => id is >= 1 and <= MaxProductId ? 200 : 404;

    public static int User(long id) => id is >= 1 and <= MaxUserId ? 200 : 404;

    public static int Cart(int qty) => qty is >= 1 and <= 10 ? 201 : 400;

    public static int Login(bool rightPassword) => rightPassword ? 200 : 401;

    /// <summary>Paths the demo does not serve.</summary>
    public const int NotFound = 404;
}
