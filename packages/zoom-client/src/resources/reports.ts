import type { RequestOptions, ZoomClient } from '../client.js';
import { PagePromise } from '../pagination.js';
import type {
  ActivityLog,
  ActivityLogsResponse,
  OperationLog,
  OperationLogsParams,
  OperationLogsResponse,
  ReportRangeParams,
} from '../types.js';

/** `client.reports`: the account's audit reports. */
export class Reports {
  constructor(private readonly client: ZoomClient) {}

  /**
   * `GET /report/operationlogs` for `from`..`to` (at most a month): awaited, the first page;
   * iterated with `for await`, every entry, newest first.
   */
  operationLogs(
    params: OperationLogsParams,
    options?: RequestOptions,
  ): PagePromise<OperationLog, OperationLogsResponse> {
    const { next_page_token, ...rest } = params;
    return new PagePromise<OperationLog, OperationLogsResponse>(async (token) => {
      const { data } = await this.client.request<OperationLogsResponse>(
        { method: 'GET', path: '/report/operationlogs', query: { ...rest, next_page_token: token } },
        options,
      );
      return {
        response: data,
        items: Array.isArray(data?.operation_logs) ? data.operation_logs : [],
        next: data?.next_page_token || undefined,
      };
    }, next_page_token || undefined);
  }

  /** `GET /report/activities`: sign-ins and sign-outs; awaited, the first page; iterated, every entry. */
  activities(
    params: ReportRangeParams = {},
    options?: RequestOptions,
  ): PagePromise<ActivityLog, ActivityLogsResponse> {
    const { next_page_token, ...rest } = params;
    return new PagePromise<ActivityLog, ActivityLogsResponse>(async (token) => {
      const { data } = await this.client.request<ActivityLogsResponse>(
        { method: 'GET', path: '/report/activities', query: { ...rest, next_page_token: token } },
        options,
      );
      return {
        response: data,
        items: Array.isArray(data?.activity_logs) ? data.activity_logs : [],
        next: data?.next_page_token || undefined,
      };
    }, next_page_token || undefined);
  }
}
