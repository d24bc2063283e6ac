// Generates a synthetic ecsdeploy project of E environments x S services (bench input).
// Usage: node bench/generate.js DIR ENVS SERVICES
const { mkdirSync, writeFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

function generate(dir, envs, services) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'environments'), { recursive: true });
  mkdirSync(join(dir, 'services'), { recursive: true });
  writeFileSync(join(dir, 'ecsdeploy.yaml'), 'project: bench\nregion: eu-west-1\n');
  for (let e = 0; e < envs; e++) {
    writeFileSync(
      join(dir, 'environments', `env${e}.yaml`),
      `network:\n  create:\n    cidr: 10.${e}.0.0/16\ncluster:\n  ec2:\n    instanceTypes: [t3.medium]\n    minSize: 1\n    maxSize: 4\n  fargate: true\n`,
    );
  }
  for (let s = 0; s < services; s++) {
    const fargate = s % 3 === 2;
    const strategy = s % 5 === 4 ? 'blue-green' : 'rolling';
    writeFileSync(
      join(dir, 'services', `svc${s}.yaml`),
      [
        'image:',
        `  tag: "1.${s}.0"`,
        `launchType: ${fargate ? 'fargate' : 'ec2'}`,
        'port: 8080',
        'cpu: 256',
        'memory: 512',
        'count: 2',
        'variables:',
        '  LOG_LEVEL: info',
        'secrets:',
        `  DB_URL: arn:aws:ssm:eu-west-1:123456789012:parameter/bench/svc${s}/db`,
        'http:',
        `  paths: [/svc${s}, /svc${s}/*]`,
        'deployment:',
        `  strategy: ${strategy}`,
        'scaling:',
        '  min: 2',
        '  max: 6',
        '  cpu: 70',
        'environments:',
        '  env0:',
        '    count: 3',
        '',
      ].join('\n'),
    );
  }
  return dir;
}

module.exports = { generate };
if (require.main === module) {
  const [dir, envs, services] = process.argv.slice(2);
  generate(dir, Number(envs), Number(services));
}
