namespace Bulwark.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line, e.g. <c>--filter '*Limiter*' --job short</c>; or <c>cpu-loop [Method …]</c>
/// for the CPU time per call of <see cref="BehaviorBenchmarks"/> methods (<see cref="CpuTimeLoop"/>).
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["cpu-loop", .. var methods])
        {
            CpuTimeLoop.Run(methods);
            return;
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
