import { FacebookAdsApi } from 'facebook-nodejs-business-sdk';
import { GRAPH_URL } from '../config';

/**
 * The SDK's API object pointed at a chosen host (the Graph API, or an emulator) without
 * patching the SDK globally: `FacebookAdsApi#call` takes a last `urlOverride` argument,
 * which this subclass fills in. Crash reporting is always off (the SDK would otherwise
 * install a process-wide uncaught-exception handler that reports to Meta). Pass it
 * explicitly to every SDK object (`new CustomAudience(id, {}, undefined, api)`); no
 * default API is set.
 */
export class TargetedFacebookAdsApi extends FacebookAdsApi {
  private readonly target: string;

  constructor(accessToken: string, baseUrl: string) {
    super(accessToken, 'en_US', false);
    this.target = baseUrl.replace(/\/+$/, '') === GRAPH_URL ? '' : baseUrl.replace(/\/+$/, '');
  }

  override call<T>(
    method: string,
    path: string | string[],
    params: Record<string, unknown> = {},
    files: Record<string, unknown> = {},
    useMultipartFormData = false,
    urlOverride = '',
  ): Promise<T> {
    return super.call<T>(method, path, params, files, useMultipartFormData, urlOverride || this.target);
  }
}
