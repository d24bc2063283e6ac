/**
 * The AWS side of one-off tasks, without AWS: the log stream reader follows GetLogEvents' pages with
 * the SDK's paginator to the end of the stream (the same forward token twice), reads a stream that
 * does not exist yet as empty, and leaves throttling to the SDK's retry (no second retry layer);
 * ECS Exec's argument building and the checks made before any AWS call.
 */
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AwsClients } from '../../src/aws/clients';
import { logStreamApi } from '../../src/aws/logs';
import { awsCliArgs, checkExecPrerequisites, execCommand, pluginArgs } from '../../src/ops/task/exec';
import { commandOf, showCommand, tagValue } from '../../src/ops/task/one-off';

describe('logStreamApi.readStream', () => {
  function withPages(pages: Array<{ events: string[]; token: string } | Error>) {
    const clients = new AwsClients({ region: 'eu-west-1' });
    const inputs: Array<Record<string, unknown>> = [];
    jest.spyOn(clients.logs(), 'send').mockImplementation((async (cmd: GetLogEventsCommand) => {
      inputs.push({ ...cmd.input });
      const page = pages.shift();
      if (page === undefined) throw new Error('no more pages scripted');
      if (page instanceof Error) throw page;
      return {
        events: page.events.map((message, i) => ({ message: `${message}\n`, timestamp: 1000 + i })),
        nextForwardToken: page.token,
      };
    }) as never);
    return { api: logStreamApi(clients), inputs };
  }

  it('follows the pages until the token repeats, and continues from the last token next time', async () => {
    const { api, inputs } = withPages([
      { events: ['a', 'b'], token: 'f/2' },
      { events: ['c'], token: 'f/3' },
      { events: [], token: 'f/3' },
    ]);
    const page = await api.readStream('/ecs/shop/dev/orders', 'orders/orders/abc');
    expect(page.events.map((e) => e.message)).toEqual(['a', 'b', 'c']);
    expect(page.nextToken).toBe('f/3');
    expect(inputs.map((i) => i['nextToken'])).toEqual([undefined, 'f/2', 'f/3']);
    expect(inputs[0]).toMatchObject({
      logGroupName: '/ecs/shop/dev/orders',
      logStreamName: 'orders/orders/abc',
      startFromHead: true,
    });
  });

  it('reads a stream that does not exist yet as empty, keeping the token', async () => {
    const { api } = withPages([
      Object.assign(new Error('The specified log stream does not exist.'), { name: 'ResourceNotFoundException' }),
    ]);
    expect(await api.readStream('g', 's', 'f/9')).toEqual({ events: [], nextToken: 'f/9' });
  });

  it('throttling that outlasted the SDK retries reaches the watcher as an error it backs off on', async () => {
    const { api } = withPages([Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })]);
    await expect(api.readStream('g', 's')).rejects.toMatchObject({ cause: { name: 'ThrottlingException' } });
  });
});

describe('one-off commands', () => {
  it('a string runs through sh -c; a list is the exec form', () => {
    expect(commandOf('./manage.py migrate && echo ok')).toEqual(['sh', '-c', './manage.py migrate && echo ok']);
    expect(commandOf(['./manage.py', 'migrate'])).toEqual(['./manage.py', 'migrate']);
    expect(showCommand(['sh', '-c', 'echo hi'])).toBe("sh -c 'echo hi'");
  });
  it('tag values keep only what ECS accepts', () => {
    expect(tagValue('octocat (GitHub Actions run 42)')).toBe('octocat _GitHub Actions run 42_');
    expect(tagValue('alice@laptop.local')).toBe('alice@laptop.local');
  });
});

describe('service exec', () => {
  const ctx = (enable: boolean) =>
    ({
      service: { name: 'orders', file: 'services/orders.yaml', enableExecuteCommand: enable },
      env: { name: 'dev' },
    }) as never;

  it('without enableExecuteCommand: says exactly what to add, before any AWS call', () => {
    expect(() => checkExecPrerequisites(ctx(false), '/usr/bin/session-manager-plugin', false)).toThrow(
      /services\/orders\.yaml does not set enableExecuteCommand/,
    );
    try {
      checkExecPrerequisites(ctx(false), '/usr/bin/session-manager-plugin', false);
    } catch (err) {
      expect((err as { suggestions: string[] }).suggestions[0]).toMatch(
        /^Add `enableExecuteCommand: true` to services\/orders\.yaml .*ssmmessages.*initProcessEnabled.*ecsdeploy service deploy orders --env dev/,
      );
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('without the Session Manager plugin: says how to install it (not needed for --print)', () => {
    expect(() => checkExecPrerequisites(ctx(true), undefined, false)).toThrow(
      /session-manager-plugin\) is not on your PATH/,
    );
    expect(() => checkExecPrerequisites(ctx(true), undefined, true)).not.toThrow();
    expect(() => checkExecPrerequisites(ctx(true), '/usr/local/bin/session-manager-plugin', false)).not.toThrow();
  });

  it('builds the aws ecs execute-command line', () => {
    expect(
      awsCliArgs({
        region: 'eu-west-1',
        cluster: 'shop-dev',
        task: 'arn:t/abc',
        container: 'orders',
        command: '/bin/sh',
      }),
    ).toEqual([
      'ecs',
      'execute-command',
      '--region',
      'eu-west-1',
      '--cluster',
      'shop-dev',
      '--task',
      'arn:t/abc',
      '--container',
      'orders',
      '--interactive',
      '--command',
      '/bin/sh',
    ]);
    expect(
      awsCliArgs({
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:5000',
        cluster: 'c',
        task: 't',
        container: 'x',
        command: 'ls',
      }),
    ).toContain('--endpoint-url');
    expect(execCommand(undefined)).toBe('/bin/sh');
    expect(execCommand(['cat', '/etc/app config.yaml'])).toBe("cat '/etc/app config.yaml'");
    expect(execCommand(['ls -la /tmp'])).toBe('ls -la /tmp');
  });

  it('hands the session to the plugin as the AWS CLI does', () => {
    const args = pluginArgs({
      session: { sessionId: 's-1', streamUrl: 'wss://x', tokenValue: 't' },
      region: 'eu-west-1',
      cluster: 'shop-dev',
      taskArn: 'arn:aws:ecs:eu-west-1:1:task/shop-dev/abc123',
      runtimeId: 'abc123-999',
    });
    expect(args).toEqual([
      '{"sessionId":"s-1","streamUrl":"wss://x","tokenValue":"t"}',
      'eu-west-1',
      'StartSession',
      '',
      '{"Target":"ecs:shop-dev_abc123_abc123-999"}',
      'https://ecs.eu-west-1.amazonaws.com',
    ]);
  });
});
