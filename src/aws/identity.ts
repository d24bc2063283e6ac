/**
 * Who the CLI is: STS GetCallerIdentity with the credentials of a target (its assumed role when it
 * names one, else the standard credentials), for the account check before anything changes AWS.
 */
import { awsError, clientConfig, type AwsTarget } from './clients';

export interface CallerIdentity {
  /** The 12-digit account the credentials belong to. */
  readonly account: string;
  /** The caller's ARN (an assumed-role ARN when a role was assumed). */
  readonly arn: string;
  readonly userId: string;
}

/** STS GetCallerIdentity with the target's credentials (its role assumed first, when it names one). */
export async function callerIdentity(target: AwsTarget): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the STS SDK loads only in commands that check the account
    require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  const client = new STSClient(clientConfig(target));
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
  } catch (err) {
    throw awsError(
      err,
      target.role
        ? `assuming ${target.role.roleArn} and asking STS who the credentials are`
        : 'asking STS who the credentials are',
    );
  } finally {
    client.destroy();
  }
}
