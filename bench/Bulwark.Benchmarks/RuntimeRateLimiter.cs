using System.Linq.Expressions;
using System.Reflection;

namespace Bulwark.Benchmarks;

/// <summary>
/// System.Threading.RateLimiting's <c>PartitionedRateLimiter.Create</c>, bound late. The assembly ships in the ASP.NET
/// Core shared framework, which this project does not reference (that needs
/// <c>&lt;FrameworkReference Include="Microsoft.AspNetCore.App" /&gt;</c> in the csproj), so it is loaded from the
/// installed framework and the acquire-and-dispose body is compiled once into a delegate: the per-call overhead over a
/// direct call is one delegate invocation.
/// </summary>
internal sealed class RuntimeRateLimiter : IDisposable
{
    private const string Namespace = "System.Threading.RateLimiting.";

    private readonly IDisposable _limiter;

    private RuntimeRateLimiter(IDisposable limiter, Func<string, bool> tryAcquire)
    {
        _limiter = limiter;
        TryAcquire = tryAcquire;
    }

    /// <summary>AttemptAcquire(key, 1), then Dispose the lease; returns IsAcquired.</summary>
    public Func<string, bool> TryAcquire { get; }

    /// <summary>Partitions with <c>RateLimitPartition.{factoryMethod}</c> (for example GetTokenBucketLimiter), options set from <paramref name="options"/>.</summary>
    public static RuntimeRateLimiter Create(string factoryMethod, string optionsType, IReadOnlyDictionary<string, object> options)
    {
        var assembly = Assembly.LoadFrom(FindAssembly());
        var optionsValue = Activator.CreateInstance(assembly.GetType(Namespace + optionsType, throwOnError: true)!)!;
        foreach (var (name, value) in options)
        {
            optionsValue.GetType().GetProperty(name)!.SetValue(optionsValue, value);
        }

        // key => RateLimitPartition.GetXxxLimiter<string>(key, _ => options)
        var partitionType = assembly.GetType(Namespace + "RateLimitPartition`1", throwOnError: true)!.MakeGenericType(typeof(string));
        var factoryType = typeof(Func<,>).MakeGenericType(typeof(string), optionsValue.GetType());
        var ignored = Expression.Parameter(typeof(string));
        var factory = Expression.Lambda(factoryType, Expression.Constant(optionsValue), ignored).Compile();
        var get = assembly.GetType(Namespace + "RateLimitPartition", throwOnError: true)!.GetMethod(factoryMethod)!.MakeGenericMethod(typeof(string));
        var key = Expression.Parameter(typeof(string), "key");
        var partitioner = Expression.Lambda(
            typeof(Func<,>).MakeGenericType(typeof(string), partitionType),
            Expression.Call(get, key, Expression.Constant(factory, factoryType)),
            key).Compile();

        var create = assembly.GetType(Namespace + "PartitionedRateLimiter", throwOnError: true)!
            .GetMethods().Single(m => m.Name == "Create" && m.GetParameters().Length == 2)
            .MakeGenericMethod(typeof(string), typeof(string));
        var limiter = create.Invoke(null, [partitioner, null])!;

        // key => { var lease = limiter.AttemptAcquire(key, 1); try { return lease.IsAcquired; } finally { lease.Dispose(); } }
        var attempt = limiter.GetType().GetMethod("AttemptAcquire", [typeof(string), typeof(int)])!;
        var lease = Expression.Variable(attempt.ReturnType, "lease");
        var body = Expression.Block(
            [lease],
            Expression.Assign(lease, Expression.Call(Expression.Constant(limiter), attempt, key, Expression.Constant(1))),
            Expression.TryFinally(
                Expression.Property(lease, "IsAcquired"),
                Expression.Call(lease, typeof(IDisposable).GetMethod(nameof(IDisposable.Dispose))!)));
        var tryAcquire = Expression.Lambda<Func<string, bool>>(body, key).Compile();
        return new RuntimeRateLimiter((IDisposable)limiter, tryAcquire);
    }

    public void Dispose() => _limiter.Dispose();

    private static string FindAssembly()
    {
        // .../shared/Microsoft.NETCore.App/<version>/ → .../shared/Microsoft.AspNetCore.App/<version>/
        var core = new DirectoryInfo(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        var aspNet = new DirectoryInfo(Path.Combine(core.Parent!.Parent!.FullName, "Microsoft.AspNetCore.App"));
        var version = aspNet.GetDirectories(core.Name).FirstOrDefault()
            ?? aspNet.GetDirectories().OrderByDescending(d => Version.TryParse(d.Name, out var v) ? v : new Version()).First();
        return Path.Combine(version.FullName, "System.Threading.RateLimiting.dll");
    }
}
