using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Bulwark.Benchmarks;

/// <summary>
/// CPU time per call of <see cref="BehaviorBenchmarks"/> methods, in process: <c>Process.TotalProcessorTime</c> over a
/// loop after a warm-up, so time other processes take from the CPU does not count (wall-clock medians on a loaded
/// machine do). Also the bytes allocated per call. Run: <c>dotnet run -c Release --project bench/Bulwark.Benchmarks --
/// cpu-loop [Method …]</c>.
/// </summary>
public static class CpuTimeLoop
{
    private const int WarmUp = 200_000;
    private const int Measured = 400_000;

    public static void Run(string[] methods)
    {
        var benchmarks = new BehaviorBenchmarks();
        var output = Console.Out;
        Console.SetOut(TextWriter.Null); // Setup prints what fires
        benchmarks.Setup();
        Console.SetOut(output);
        var all = typeof(BehaviorBenchmarks).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .ToDictionary(m => m.Name, m => m.CreateDelegate<Func<object>>(benchmarks), StringComparer.OrdinalIgnoreCase);
        var chosen = methods.Length == 0 ? ["NoDetectorsProduct", "AllDetectorsProduct", "NoDetectorsLogin", "AllDetectorsLogin"] : methods;
        foreach (var name in chosen)
        {
            if (!all.TryGetValue(name, out var call))
            {
                Console.Error.WriteLine($"no benchmark '{name}'; choose from {string.Join(", ", all.Keys)}");
                Environment.Exit(2);
            }

            for (var i = 0; i < WarmUp; i++)
            {
                call();
            }

            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Measured; i++)
            {
                call();
            }

            process.Refresh();
            var micros = (process.TotalProcessorTime - cpu).TotalMicroseconds / Measured;
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Measured;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {micros,7:0.000} µs CPU  {bytes,6:0} B"));
        }
    }
}
