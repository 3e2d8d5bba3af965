using System.IO;
using System.Linq;

namespace KdcHa.Tests.Architecture;

/// <summary>
/// src/ stays a set of files someone opens on purpose: at most 160 of them and none over 600 lines, so that no
/// exception or event class has a file of its own and no type grows into several.
/// </summary>
public class SourceSizeTests
{
    private const int MaximumFiles = 160;
    private const int MaximumLines = 600;

    [Fact]
    public void SrcHoldsAtMost160CSharpFiles()
    {
        var files = SourceTree.Files(SourceTree.Src);
        var perFolder = files.GroupBy(file => Path.GetDirectoryName(SourceTree.Relative(SourceTree.Src, file)))
            .OrderByDescending(folder => folder.Count())
            .Select(folder => $"  {folder.Key}/: {folder.Count()}");

        Assert.True(files.Count <= MaximumFiles, $"src/ holds {files.Count} .cs files, more than {MaximumFiles}:\n{string.Join("\n", perFolder)}");
    }

    [Fact]
    public void NoSourceFileIsLongerThan600Lines()
    {
        var tooLong = SourceTree.Files(SourceTree.Src)
            .Select(file => (File: SourceTree.Relative(SourceTree.Src, file), Lines: File.ReadLines(file).Count()))
            .Where(file => file.Lines > MaximumLines)
            .Select(file => $"  {file.File}: {file.Lines} lines")
            .ToList();

        Assert.True(tooLong.Count == 0, $"Files in src/ over {MaximumLines} lines:\n{string.Join("\n", tooLong)}");
    }
}
