namespace Bulwark.Core.Tests.Intel.Database;

/// <summary>A scratch folder for source and database files, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bulwark-ipdb-tests-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string content)
    {
        string file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content.ReplaceLineEndings("\n"));
        return file;
    }

    public string File_(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
