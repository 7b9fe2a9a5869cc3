namespace Bulwark.Tests.Shared;

/// <summary>Reads a Linux process's thread names from /proc, as <c>ps -L -o comm</c> does.</summary>
internal static class ProcessThreads
{
    /// <summary>
    /// The names of the threads of process <paramref name="processId"/> ("self" for this one). A thread that exits between
    /// listing <c>/proc/PID/task</c> and reading its <c>comm</c> is left out: the thread pool retires idle workers at any time.
    /// </summary>
    public static List<string> Names(string processId)
    {
        var names = new List<string>();
        foreach (var task in Directory.GetDirectories($"/proc/{processId}/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).Trim());
            }
            catch (IOException)
            {
                // The thread exited after the listing (DirectoryNotFoundException, or ESRCH on read).
            }
        }

        return names;
    }
}
