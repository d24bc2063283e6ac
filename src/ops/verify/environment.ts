/**
 * `ecsdeploy verify --env ENV [SERVICE...]`: the checks of the named services (all of the
 * environment's by default), each with the image `service deploy SERVICE --env ENV` would deploy:
 * --image, else the service file's image.digest or image.tag for the environment, resolved to its
 * digest in ECR the same way.
 */
import { AwsClients } from '../../aws/clients';
import { ecrApi } from '../../aws/ecr';
import { environmentNames, type ResolvedService } from '../../config/load';
import { closest } from '../../config/suggest';
import { EcsdeployError, UsageError } from '../../errors';
import { registryTarget } from '../accounts';
import { openEnvironments } from '../project';
import { resolveImage, type ReleaseImage } from '../releases';
import { serviceNames } from '../service/names';
import { imageFromFile } from '../service/deploy';
import { verifyServices } from './run';
import { liveVerifyDeps, type VerifyDeps, type VerifyReport } from './types';

export interface VerifyInput {
  readonly dir: string;
  readonly env: string;
  /** @default every service of the environment */
  readonly services?: readonly string[];
  /** The image to check for the one service named (as `service deploy --image` takes it). */
  readonly image?: string;
}

export async function verifyEnvironment(
  input: VerifyInput,
  deps: VerifyDeps = liveVerifyDeps(),
): Promise<VerifyReport> {
  const { project, envs } = await openEnvironments(input.dir, [input.env]);
  const env = envs[0]!;
  const known = env.services.map((s) => s.name);
  const wanted = input.services?.length ? [...new Set(input.services)] : known;
  for (const name of wanted) {
    if (!known.includes(name)) {
      const guess = closest(name, known);
      throw new UsageError(
        `Environment '${env.name}' has no service '${name}'${guess ? `; did you mean '${guess}'?` : '.'}`,
        [known.length ? `Services of ${env.name}: ${known.join(', ')}.` : `Environment ${env.name} has no services.`],
      );
    }
  }
  if (input.image !== undefined && wanted.length !== 1)
    throw new UsageError(
      `--image names the image of one service; name exactly one SERVICE with it (given: ${wanted.join(', ') || 'none'}).`,
      ['ecsdeploy verify orders --env dev --image 1.4.3'],
    );
  const target = registryTarget(project, env);
  const ecr = deps.ecr ? deps.ecr(target) : ecrApi(new AwsClients(target));
  const services = wanted.map((name) => env.services.find((s) => s.name === name)!);
  const items = await Promise.all(
    services.map(async (service: ResolvedService) => {
      let image: ReleaseImage | { unresolved: string };
      try {
        const fromFile = input.image === undefined ? imageFromFile(service, env.name) : undefined;
        const configured = service.image?.repository;
        image = await resolveImage(input.image ?? fromFile!.ref, {
          ecr,
          region: project.config.region,
          repositoryName: serviceNames(project.config.project, env, service).repository,
          ...(configured !== undefined ? { configuredRepository: configured } : {}),
          environments: environmentNames(project.root),
          // A moving tag is refused by deploy unless allowed; verify checks the image it names now.
          allowMutableTag: true,
          ...(fromFile ? { label: fromFile.label } : {}),
        });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (
          !(err instanceof EcsdeployError) ||
          code === 'ECSDEPLOY_AWS_CREDENTIALS' ||
          code === 'ECSDEPLOY_AWS_UNREACHABLE'
        )
          throw err;
        image = { unresolved: err.message.split('\n')[0]! };
      }
      return { service, image };
    }),
  );
  return verifyServices(project, env, items, deps);
}
