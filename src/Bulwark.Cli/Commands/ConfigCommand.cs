using System.CommandLine;
using Bulwark.Core.Policy;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark config check FILE</c>: validates a configuration and lists every error.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The configuration file to check." };
        var check = new Command("check", "Validate a configuration file: exit 0 when valid, else 2 with every error and its JSON path.") { file };
        check.SetAction(parseResult => ConfigCheck.Run(parseResult.GetValue(file)!, Console.Out, Console.Error));
        return new Command("config", "Work with configuration files.") { check };
    }
}
