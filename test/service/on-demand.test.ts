/** Service commands accept environments on demand: they resolve from their record, on the base's cluster. */
import { join } from 'node:path';
import { localRecordStore } from '../../src/ops/environments';
import { openService, readDeps } from '../../src/ops/service/context';
import { projectWith } from '../config/fixture-project';

it('opens a service of an environment on demand, named apart from the base on its shared cluster', async () => {
  const p = projectWith();
  try {
    await localRecordStore(join(p.dir, '.ecsdeploy', 'environments'), p.dir).create({
      version: 1,
      name: 'feature-x',
      base: 'dev',
      owner: 'ci',
      createdAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-25T10:00:00.000Z',
      isolated: false,
      services: ['api'],
      slot: 0,
      images: {},
      status: 'ready',
    });
    const ctx = await openService(p.dir, 'feature-x', 'api', readDeps());
    expect(ctx.env.ephemeral).toMatchObject({ base: 'dev' });
    expect(ctx.names).toMatchObject({ stack: 'feature-x-api', cluster: 'acme-dev', service: 'feature-x-api' });
    await expect(openService(p.dir, 'feature-y', 'api', readDeps())).rejects.toThrow(/no environment 'feature-y'/);
  } finally {
    p.cleanup();
  }
});
