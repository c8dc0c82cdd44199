// The external analyzer's HTTP client: the webhooks' SSRF guard (checked address, no redirects, bounded answer and
// time), with private networks allowed only when the operator says so (MEDIA_EXTERNAL_ANALYZER_ALLOW_PRIVATE).
import type { AnalyzerHttpClient } from '@arvlite/media';
import { safeRequest, type OutboundPolicy, type Resolver } from '@arvlite/webhooks';

export function analyzerHttpClient(policy: OutboundPolicy, resolver?: Resolver): AnalyzerHttpClient {
  return async (request) => {
    const res = await safeRequest({ ...request, policy, resolver });
    return { status: res.status, headers: res.headers, body: res.body, truncated: res.truncated };
  };
}
