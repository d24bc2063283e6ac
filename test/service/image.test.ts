/**
 * --image → an immutable image: tags resolve to digests through ECR (a missing tag lists the newest
 * ones), digests are checked to exist, full references by digest are taken as they are, and
 * mutable tags are refused unless allowed. (Against moto's ECR in moto.test.ts.)
 */
import type { EcrApi, EcrImage } from '../../src/aws/ecr';
import { UsageError } from '../../src/errors';
import { resolveImage, type ImageContext } from '../../src/ops/releases';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api';

/** An in-memory ECR with one repository `acme/api`, recording every call. */
function fakeEcr(images: EcrImage[]) {
  const calls: string[] = [];
  const ecr: EcrApi = {
    async repository(name) {
      calls.push(`repository ${name}`);
      return name === 'acme/api' ? { name, uri: URI, registryId: '123456789012' } : undefined;
    },
    async image(repo, id, registryId) {
      calls.push(`image ${repo} ${'tag' in id ? id.tag : id.digest}${registryId ? ` ${registryId}` : ''}`);
      return images.find((i) => ('tag' in id ? i.tags.includes(id.tag) : i.digest === id.digest));
    },
    async newestImages(_repo, limit) {
      calls.push('newest');
      return [...images].sort((a, b) => (b.pushedAt ?? 0) - (a.pushedAt ?? 0)).slice(0, limit);
    },
  };
  return { ecr, calls };
}

function ctx(ecr: EcrApi, extra: Partial<ImageContext> = {}): ImageContext {
  return {
    ecr,
    region: 'us-east-1',
    repositoryName: 'acme/api',
    environments: ['dev', 'prod'],
    allowMutableTag: false,
    ...extra,
  };
}

const IMAGES: EcrImage[] = [
  { digest: D1, tags: ['1.0.0'], pushedAt: 1 },
  { digest: D2, tags: ['1.1.0', 'latest'], pushedAt: 2 },
];

describe('resolveImage', () => {
  it('a tag of the service repository resolves to its digest', async () => {
    const { ecr, calls } = fakeEcr(IMAGES);
    expect(await resolveImage('1.0.0', ctx(ecr))).toEqual({
      requested: '1.0.0',
      repository: URI,
      tag: '1.0.0',
      digest: D1,
      serviceRepository: true,
    });
    expect(calls).toEqual(['repository acme/api', 'image acme/api 1.0.0']);
  });

  it('a tag that does not exist: a usage error listing the newest tags', async () => {
    const { ecr } = fakeEcr(IMAGES);
    const err = await resolveImage('1.2.0', ctx(ecr)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      "--image 1.2.0: there is no tag '1.2.0' in the ECR repository acme/api. Newest tags: 1.1.0, latest; 1.0.0.",
    );
    expect((err as UsageError).suggestions[0]).toBe('Deploy one of those (--image 1.1.0), or push 1.2.0 first.');
  });

  it.each(['latest', 'prod', 'Stable', 'dev'])('the mutable tag %s is refused unless allowed', async (tag) => {
    const { ecr, calls } = fakeEcr([{ digest: D2, tags: [tag], pushedAt: 1 }]);
    await expect(resolveImage(tag, ctx(ecr))).rejects.toThrow(`'${tag}' is a mutable tag`);
    expect(calls).toEqual([]); // refused before asking AWS
    expect((await resolveImage(tag, ctx(ecr, { allowMutableTag: true }))).digest).toBe(D2);
  });

  it("a tag named like one of the project's environments is mutable too", async () => {
    const { ecr } = fakeEcr([]);
    await expect(resolveImage('qa-eu', ctx(ecr, { environments: ['qa-eu'] }))).rejects.toThrow(
      "'qa-eu' is a mutable tag",
    );
  });

  it('a full reference by digest is taken as it is, without asking ECR', async () => {
    const { ecr, calls } = fakeEcr([]);
    expect(await resolveImage(`ghcr.io/acme/api:1.0@${D1}`, ctx(ecr))).toEqual({
      requested: `ghcr.io/acme/api:1.0@${D1}`,
      repository: 'ghcr.io/acme/api',
      digest: D1,
      serviceRepository: false,
    });
    expect(calls).toEqual([]);
  });

  it('a digest of the service repository must exist there', async () => {
    const { ecr } = fakeEcr(IMAGES);
    expect((await resolveImage(D1, ctx(ecr))).repository).toBe(URI);
    await expect(resolveImage(`sha256:${'9'.repeat(64)}`, ctx(ecr))).rejects.toThrow(
      'there is no image with that digest in the ECR repository acme/api',
    );
  });

  it('an ECR repo:tag of the same region resolves through that registry', async () => {
    const { ecr, calls } = fakeEcr(IMAGES);
    const image = await resolveImage('210987654321.dkr.ecr.us-east-1.amazonaws.com/acme/api:1.1.0', ctx(ecr));
    expect(image).toMatchObject({
      repository: '210987654321.dkr.ecr.us-east-1.amazonaws.com/acme/api',
      tag: '1.1.0',
      digest: D2,
      serviceRepository: false,
    });
    expect(calls).toEqual(['image acme/api 1.1.0 210987654321']);
  });

  it('a tag outside ECR cannot be resolved: asks for the digest', async () => {
    const { ecr } = fakeEcr([]);
    await expect(resolveImage('ghcr.io/acme/api:1.0.0', ctx(ecr))).rejects.toThrow(
      'ecsdeploy resolves tags only in ECR; ghcr.io/acme/api is not an ECR repository',
    );
    await expect(resolveImage('ghcr.io/acme/api', ctx(ecr))).rejects.toThrow("'latest' is a mutable tag");
  });

  it('a configured image.repository outside ECR takes digests, not tags', async () => {
    const { ecr } = fakeEcr([]);
    const c = ctx(ecr, { configuredRepository: 'registry.example.com/acme/api' });
    expect(await resolveImage(D1, c)).toMatchObject({
      repository: 'registry.example.com/acme/api',
      digest: D1,
      serviceRepository: true,
    });
    await expect(resolveImage('1.0.0', c)).rejects.toThrow('is not in ECR, so ecsdeploy cannot resolve a tag there');
  });

  it('without the repository (registry not applied yet): says to create it', async () => {
    const { ecr } = fakeEcr([]);
    await expect(resolveImage('1.0.0', ctx(ecr, { repositoryName: 'acme/web' }))).rejects.toThrow(
      "There is no ECR repository 'acme/web' in us-east-1",
    );
  });

  it('nonsense is a usage error', async () => {
    const { ecr } = fakeEcr([]);
    await expect(resolveImage('not a tag!', ctx(ecr))).rejects.toThrow('not a tag, a digest or an image reference');
    await expect(resolveImage('repo@sha256:abc', ctx(ecr))).rejects.toThrow('not an image reference');
  });
});
