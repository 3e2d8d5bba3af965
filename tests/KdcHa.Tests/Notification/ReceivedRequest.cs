using System.Collections.Generic;
using System.Text.Json;

namespace KdcHa.Tests.Notification;

internal sealed record ReceivedRequest(string RawUrl, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
