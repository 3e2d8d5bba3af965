using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KdcHa.Notification;

/// <summary>The one JSON dialect of the feature: spool files, the configuration file, command stdin, generic webhooks.</summary>
public static class NotificationJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions IndentedOptions { get; } = Create(indented: true);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The document is the JSON literal null.");

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,

        // Accepts hand-written files and ConvertTo-Json output (PascalCase names, enum numbers) alike.
        PropertyNameCaseInsensitive = true,
        DictionaryKeyPolicy = null,
        WriteIndented = indented,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,

        // Bodies go to HTTP APIs and files, never into HTML, so non-ASCII text (alerts in Chinese for DingTalk,
        // WeCom and Feishu) stays readable in -WhatIf output and spool files instead of becoming \uXXXX.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };
}
