using System.Threading;
using System.Threading.Tasks;

namespace KdcHa.Notification.Channels;

/// <summary>The one HTTP path every webhook vendor goes through.</summary>
public interface IHttpPoster
{
    /// <summary>Returns whatever status the server answered; throws only when no answer came.</summary>
    Task<WebhookResponse> PostAsync(WebhookRequest request, CancellationToken cancellationToken);
}
