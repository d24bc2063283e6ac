/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/** A service's CloudWatch Logs: the events of its log group in a time window, page by page. */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EcsdeployError } from '../errors';
import { awsError, type AwsClients } from './clients';

export interface LogEvent {
  readonly id: string;
  /** Epoch ms. */
  readonly timestamp: number;
  readonly stream: string;
  readonly message: string;
}

export interface LogsQuery {
  readonly group: string;
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, inclusive. @default now */
  readonly end?: number;
  /** Only streams whose name starts with this (e.g. the container's `awslogs-stream-prefix`). */
  readonly streamPrefix?: string;
  /** Continue a previous page. */
  readonly nextToken?: string;
}

export interface LogsApi {
  /** One page of events, oldest first. */
  events(query: LogsQuery): Promise<{ events: LogEvent[]; nextToken?: string }>;
}

export function logsApi(clients: AwsClients): LogsApi {
  const sdk = require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs');
  const client = (): CloudWatchLogsClient => clients.logs();
  return {
    async events(q) {
      try {
        const out = await client().send(
          new sdk.FilterLogEventsCommand({
            logGroupName: q.group,
            startTime: q.start,
            ...(q.end !== undefined ? { endTime: q.end } : {}),
            ...(q.streamPrefix ? { logStreamNamePrefix: q.streamPrefix } : {}),
            ...(q.nextToken ? { nextToken: q.nextToken } : {}),
          }),
        );
        const events = (out.events ?? []).map((e) => ({
          id: e.eventId ?? `${e.logStreamName}:${e.timestamp}`,
          timestamp: e.timestamp ?? 0,
          stream: e.logStreamName ?? '',
          message: (e.message ?? '').replace(/\n$/, ''),
        }));
        return { events, ...(out.nextToken ? { nextToken: out.nextToken } : {}) };
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceNotFoundException') {
          throw new EcsdeployError(`There is no log group '${q.group}' in ${clients.target.region}.`, {
            code: 'ECSDEPLOY_NOT_FOUND',
            suggestions: ['The service stack creates it: deploy the service first (ecsdeploy service deploy).'],
            cause: err,
          });
        }
        throw awsError(err, `reading the log group ${q.group}`);
      }
    },
  };
}

export interface LogStreamPage {
  /** Oldest first. */
  readonly events: LogEvent[];
  /** Where the next read continues (GetLogEvents' forward token); absent while the stream does not exist yet. */
  readonly nextToken?: string;
}

/** One log stream read forward from where the last read stopped: what a live tail needs. */
export interface LogStreamApi {
  /**
   * Every event after `fromToken` (from the stream's start without one), following GetLogEvents'
   * pages to the end. A stream that does not exist yet (the container has not written) reads as empty.
   */
  readStream(group: string, stream: string, fromToken?: string): Promise<LogStreamPage>;
}

export function logStreamApi(clients: AwsClients): LogStreamApi {
  const sdk = require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs');
  return {
    async readStream(group, stream, fromToken) {
      const events: LogEvent[] = [];
      let token = fromToken;
      try {
        // The SDK's paginator; GetLogEvents returns the same forward token at the end of the stream.
        // Throttling is retried by the client (adaptive retry mode, clients.ts).
        for await (const page of sdk.paginateGetLogEvents(
          { client: clients.logs(), stopOnSameToken: true },
          {
            logGroupName: group,
            logStreamName: stream,
            startFromHead: true,
            ...(fromToken ? { nextToken: fromToken } : {}),
          },
        )) {
          for (const e of page.events ?? [])
            events.push({
              id: `${stream}:${e.timestamp ?? 0}:${events.length}`,
              timestamp: e.timestamp ?? 0,
              stream,
              message: (e.message ?? '').replace(/\n$/, ''),
            });
          if (page.nextForwardToken) token = page.nextForwardToken;
        }
      } catch (err) {
        if ((err as { name?: string }).name === 'ResourceNotFoundException')
          return { events: [], ...(fromToken ? { nextToken: fromToken } : {}) };
        throw awsError(err, `reading the log stream ${stream} of ${group}`);
      }
      return { events, ...(token ? { nextToken: token } : {}) };
    },
  };
}
