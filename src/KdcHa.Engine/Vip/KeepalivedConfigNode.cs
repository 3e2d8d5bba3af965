using System.Collections.Generic;

namespace KdcHa.Vip;

/// <summary>One keepalived statement (its words) with the statements of its block, if it opens one.</summary>
internal sealed class KeepalivedConfigNode
{
    public KeepalivedConfigNode(IReadOnlyList<string> words, IReadOnlyList<KeepalivedConfigNode> children)
    {
        Words = words;
        Children = children;
    }

    public IReadOnlyList<string> Words { get; }

    public IReadOnlyList<KeepalivedConfigNode> Children { get; set; }

    public string Keyword => Words.Count == 0 ? string.Empty : Words[0];

    public string? Argument(int index) => index < Words.Count ? Words[index] : null;
}
