/** The pieces of `import compose` that the golden cases use without showing every corner. */
import { composeSchema, interpolate, mergeFiles, normalizePort } from '../../src/ops/adopt/compose-source';
import { durationSeconds, fargateSize, mebibytes, parseImage, shellSplit } from '../../src/ops/adopt/compose-map';

describe('interpolation, as Compose does it', () => {
  const vars = { SET: 'yes', EMPTY: '', NESTED: 'inner' };
  test.each([
    ['$SET and ${SET}', 'yes and yes'],
    ['${UNSET:-fallback} ${EMPTY:-fallback} ${EMPTY-kept}', 'fallback fallback '],
    ['${UNSET-fallback}', 'fallback'],
    ['${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', 'alt||alt|'],
    ['${UNSET:-${NESTED}}', 'inner'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['costs $$5 and $${SET}', 'costs $5 and ${SET}'],
    ['${UNSET}', ''],
  ])('%s', (text, expected) => expect(interpolate(text, vars)).toEqual({ value: expected }));

  test.each([
    ['${UNSET:?give UNSET}', 'required variable UNSET is not set: give UNSET'],
    ['${EMPTY:?}', 'required variable EMPTY is empty'],
    ['${UNSET?needed}', 'required variable UNSET is not set: needed'],
    ['costs $5', 'invalid interpolation format in "costs $5": a $ must start ${VAR} or $VAR; write $$ for a literal $'],
    ['${SET', 'invalid interpolation format in "${SET": ${ without its closing }; write $$ for a literal $'],
    [
      '${1BAD}',
      'invalid interpolation format for ${1BAD}: use ${VAR}, ${VAR:-default} or ${VAR:?message}; write $$ for a literal $',
    ],
  ])('%s is an error', (text, error) => expect(interpolate(text, vars)).toEqual({ error }));

  test('${EMPTY?x} is not an error: the variable is set', () =>
    expect(interpolate('${EMPTY?x}', vars)).toEqual({ value: '' }));
});

describe('merging files by the Compose Specification', () => {
  test('mappings merge, sequences append, unique resources merge by key, command replaces', () => {
    const merged = mergeFiles([
      {
        services: {
          a: {
            image: 'x:1',
            command: ['a', 'b'],
            dns: ['1.1.1.1'],
            ports: ['80:80', '443:443'],
            volumes: ['d:/data', '/cache'],
            environment: ['A=1', 'B=2'],
            secrets: ['s1'],
          },
        },
      },
      {
        services: {
          a: {
            image: 'x:2',
            command: ['c'],
            dns: ['8.8.8.8'],
            ports: ['80:80'],
            volumes: ['e:/data'],
            environment: { B: '3', C: '4' },
            secrets: [{ source: 's2', target: 's1' }],
          },
        },
      },
    ]);
    expect(merged).toEqual({
      services: {
        a: {
          image: 'x:2',
          command: ['c'],
          dns: ['1.1.1.1', '8.8.8.8'],
          ports: ['80:80', '443:443'],
          volumes: ['e:/data', '/cache'],
          environment: { A: '1', B: '3', C: '4' },
          secrets: [{ source: 's2', target: 's1' }],
        },
      },
    });
  });

  test('depends_on lists and mappings merge as mappings; a single env_file is a list of one', () => {
    const merged = mergeFiles([
      { services: { a: { depends_on: ['db'], env_file: 'a.env' } } },
      { services: { a: { depends_on: { cache: { condition: 'service_healthy' } }, env_file: ['b.env'] } } },
    ]);
    expect(merged).toEqual({
      services: {
        a: {
          depends_on: { db: { condition: 'service_started' }, cache: { condition: 'service_healthy' } },
          env_file: ['a.env', 'b.env'],
        },
      },
    });
  });
});

describe('short syntaxes and units', () => {
  test.each([
    ['80', { target: '80' }],
    ['8080:80', { target: '80', published: '8080' }],
    ['127.0.0.1:8080:80/udp', { target: '80', published: '8080', host_ip: '127.0.0.1', protocol: 'udp' }],
    ['[::1]:8080:80', { target: '80', published: '8080', host_ip: '::1' }],
  ])('port %s', (p, expected) => expect(normalizePort(p)).toEqual(expected));

  test.each([
    ['1m30s', 90],
    ['1500ms', 1.5],
    ['2h', 7200],
    ['10', 10],
    ['1.5s', 1.5],
    ['soon', undefined],
    ['5x', undefined],
  ])('duration %s', (d, s) => expect(durationSeconds(d)).toBe(s));

  test.each([
    ['512m', 512],
    ['1g', 1024],
    ['1.5GB', 1536],
    ['268435456', 256],
    ['700M', 700],
    ['lots', undefined],
  ])('memory %s', (m, mib) => expect(mebibytes(m)).toBe(mib));

  test.each([
    [0, 0, [256, 512]],
    [307, 700, [512, 1024]],
    [1536, 3072, [2048, 4096]],
    [256, 2500, [512, 3072]],
    [4096, 8192, [4096, 8192]],
    [16384, 200000, undefined],
  ])('Fargate size for %d units and %d MiB', (c, m, size) => expect(fargateSize(c, m)).toEqual(size));

  test.each([
    ['npm run worker -- --queue "orders emails"', ['npm', 'run', 'worker', '--', '--queue', 'orders emails']],
    ["sh -c 'echo $HOME && exit 1'", ['sh', '-c', 'echo $HOME && exit 1']],
    ['a\\ b "c\\"d" \'\'', ['a b', 'c"d', '']],
  ])('command %s', (text, words) => expect(shellSplit(text)).toEqual(words));

  test.each([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['registry:5000/team/app', { repository: 'registry:5000/team/app' }],
    ['ghcr.io/acme/api:2.0@sha256:abc', { repository: 'ghcr.io/acme/api', tag: '2.0', digest: 'sha256:abc' }],
  ])('image %s', (ref, parsed) => expect(parseImage(ref)).toEqual(parsed));
});

describe('the JSON Schema', () => {
  test("is the Compose Specification's, current enough to know today's keys", () => {
    const schema = composeSchema() as {
      title: string;
      $schema: string;
      properties: Record<string, unknown>;
      definitions: { service: { properties: Record<string, unknown> } };
    };
    expect(schema.title).toBe('Compose Specification');
    expect(schema.$schema).toMatch(/draft-07/);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['services', 'volumes', 'secrets', 'include', 'models']),
    );
    expect(Object.keys(schema.definitions.service.properties)).toEqual(
      expect.arrayContaining(['develop', 'post_start', 'gpus', 'label_file']),
    );
  });
});
