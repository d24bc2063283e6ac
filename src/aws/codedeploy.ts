/* eslint-disable @typescript-eslint/no-require-imports -- the SDK module loads on first use (start-up time, see clients.ts). */
/**
 * CodeDeploy for ECS blue/green, canary and linear deployments: create one from an AppSpec, read its
 * status, lifecycle events and task sets (with their traffic weights), stop it with a rollback.
 */
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EcsdeployError } from '../errors';
import { awsError, type AwsClients } from './clients';

/** Statuses CodeDeploy reports while a deployment still runs. */
export const CODEDEPLOY_ACTIVE_STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;

export interface CodeDeployDeployment {
  readonly id: string;
  /** Created, Queued, InProgress, Baking, Ready, Succeeded, Failed or Stopped. */
  readonly status: string;
  /** user, autoscaling, codeDeployRollback, ... */
  readonly creator?: string;
  /** Epoch ms. */
  readonly createdAt?: number;
  readonly completedAt?: number;
  readonly error?: { readonly code?: string; readonly message?: string };
  readonly rollback?: { readonly deploymentId?: string; readonly triggeredBy?: string; readonly message?: string };
}

export interface CodeDeployLifecycleEvent {
  /** BeforeInstall, Install, AfterInstall, BeforeAllowTestTraffic, AllowTestTraffic, AfterAllowTestTraffic, BeforeAllowTraffic, AllowTraffic, AfterAllowTraffic */
  readonly name: string;
  /** Pending, InProgress, Succeeded, Failed, Skipped or Unknown. */
  readonly status: string;
  readonly diagnostics?: string;
}

export interface CodeDeployTaskSet {
  /** Blue (the original) or Green (the replacement). */
  readonly label?: string;
  readonly status?: string;
  /** % of production traffic. */
  readonly trafficWeight: number;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
}

export interface CodeDeployTarget {
  readonly status?: string;
  readonly lifecycleEvents: readonly CodeDeployLifecycleEvent[];
  readonly taskSets: readonly CodeDeployTaskSet[];
}

export interface CreateCodeDeployment {
  readonly application: string;
  readonly group: string;
  /** The AppSpec, as JSON text. */
  readonly appSpec: string;
  readonly description?: string;
}

export interface CodeDeployApi {
  /** Returns the new deployment's id. */
  createDeployment(input: CreateCodeDeployment): Promise<string>;
  getDeployment(id: string): Promise<CodeDeployDeployment>;
  /** The ECS target of a deployment; undefined until CodeDeploy has created it. */
  target(id: string): Promise<CodeDeployTarget | undefined>;
  /** Stops a deployment; with `rollback`, CodeDeploy routes traffic back to the original task set. */
  stopDeployment(id: string, rollback: boolean): Promise<void>;
  /** Ids of the deployments of a group that are still running. */
  activeDeployments(application: string, group: string): Promise<string[]>;
}

const ms = (d: Date | undefined): number | undefined => d?.getTime();

export function codeDeployApi(clients: AwsClients): CodeDeployApi {
  const sdk = require('@aws-sdk/client-codedeploy') as typeof import('@aws-sdk/client-codedeploy');
  const client = (): CodeDeployClient => clients.codeDeploy();

  return {
    async createDeployment(input) {
      try {
        const out = await client().send(
          new sdk.CreateDeploymentCommand({
            applicationName: input.application,
            deploymentGroupName: input.group,
            revision: { revisionType: 'AppSpecContent', appSpecContent: { content: input.appSpec } },
            ...(input.description ? { description: input.description.slice(0, 1000) } : {}),
          }),
        );
        if (!out.deploymentId) throw new Error('CreateDeployment returned no deploymentId');
        return out.deploymentId;
      } catch (err) {
        if ((err as { name?: string }).name === 'DeploymentLimitExceededException') {
          throw new EcsdeployError(
            `CodeDeploy refused a new deployment of ${input.application}/${input.group}: another deployment of it is still running.`,
            {
              code: 'ECSDEPLOY_DEPLOY_CONFLICT',
              suggestions: ['Wait for the running deployment to finish (ecsdeploy service status), then deploy again.'],
              cause: err,
            },
          );
        }
        throw awsError(err, `creating a CodeDeploy deployment of ${input.application}/${input.group}`);
      }
    },

    async getDeployment(id) {
      try {
        const out = await client().send(new sdk.GetDeploymentCommand({ deploymentId: id }));
        const d = out.deploymentInfo;
        return {
          id,
          status: d?.status ?? 'Unknown',
          ...(d?.creator ? { creator: d.creator } : {}),
          ...(d?.createTime ? { createdAt: ms(d.createTime)! } : {}),
          ...(d?.completeTime ? { completedAt: ms(d.completeTime)! } : {}),
          ...(d?.errorInformation
            ? {
                error: {
                  ...(d.errorInformation.code ? { code: d.errorInformation.code } : {}),
                  ...(d.errorInformation.message ? { message: d.errorInformation.message } : {}),
                },
              }
            : {}),
          ...(d?.rollbackInfo && (d.rollbackInfo.rollbackDeploymentId || d.rollbackInfo.rollbackMessage)
            ? {
                rollback: {
                  ...(d.rollbackInfo.rollbackDeploymentId ? { deploymentId: d.rollbackInfo.rollbackDeploymentId } : {}),
                  ...(d.rollbackInfo.rollbackTriggeringDeploymentId
                    ? { triggeredBy: d.rollbackInfo.rollbackTriggeringDeploymentId }
                    : {}),
                  ...(d.rollbackInfo.rollbackMessage ? { message: d.rollbackInfo.rollbackMessage } : {}),
                },
              }
            : {}),
        };
      } catch (err) {
        throw awsError(err, `reading the CodeDeploy deployment ${id}`);
      }
    },

    async target(id) {
      try {
        const targetIds: string[] = [];
        // The SDK has no paginator for ListDeploymentTargets (its model declares none): follow nextToken.
        let nextToken: string | undefined;
        do {
          const page = await client().send(
            new sdk.ListDeploymentTargetsCommand({ deploymentId: id, ...(nextToken ? { nextToken } : {}) }),
          );
          targetIds.push(...(page.targetIds ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
        if (targetIds.length === 0) return undefined;
        const out = await client().send(
          new sdk.BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds: targetIds.slice(0, 25) }),
        );
        const ecs = out.deploymentTargets?.find((t) => t.ecsTarget)?.ecsTarget;
        if (!ecs) return undefined;
        return {
          ...(ecs.status ? { status: ecs.status } : {}),
          lifecycleEvents: (ecs.lifecycleEvents ?? []).map((e) => ({
            name: e.lifecycleEventName ?? '',
            status: e.status ?? 'Unknown',
            ...(e.diagnostics?.message ? { diagnostics: e.diagnostics.message } : {}),
          })),
          taskSets: (ecs.taskSetsInfo ?? []).map((t) => ({
            ...(t.taskSetLabel ? { label: t.taskSetLabel } : {}),
            ...(t.status ? { status: t.status } : {}),
            trafficWeight: t.trafficWeight ?? 0,
            desiredCount: t.desiredCount ?? 0,
            runningCount: t.runningCount ?? 0,
            pendingCount: t.pendingCount ?? 0,
          })),
        };
      } catch (err) {
        throw awsError(err, `reading the targets of CodeDeploy deployment ${id}`);
      }
    },

    async stopDeployment(id, rollback) {
      try {
        await client().send(new sdk.StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: rollback }));
      } catch (err) {
        throw awsError(err, `stopping the CodeDeploy deployment ${id}`);
      }
    },

    async activeDeployments(application, group) {
      const ids: string[] = [];
      try {
        for await (const page of sdk.paginateListDeployments(
          { client: client() },
          {
            applicationName: application,
            deploymentGroupName: group,
            includeOnlyStatuses: [...CODEDEPLOY_ACTIVE_STATUSES],
          },
        )) {
          ids.push(...(page.deployments ?? []));
        }
      } catch (err) {
        throw awsError(err, `listing the running deployments of ${application}/${group}`);
      }
      return ids;
    },
  };
}
