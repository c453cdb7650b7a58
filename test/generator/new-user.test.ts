// What a new user hit on a first try: answers the generator refused or took silently, a help
// column without a space, a re-run that stopped halfway but kept its new answers, a project
// that was not a git repository, `npm start` with nothing built.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { resolveAnswers } from '../../generators/lib/answers.js';
import { USAGE } from '../../generators/lib/cli.js';
import { parseFlags } from '../../generators/lib/options.js';
import { buildQuestions } from '../../generators/lib/prompts.js';
import { ensureGeneratorBuilt } from './build.js';
import { runBin } from './run-bin.js';
import { readYaml, releaseValidator, runInit } from './helpers.js';

let dir: string;

const cli = (...args: string[]) => runBin(dir, args, 120_000);

const git = (cwd: string, ...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });

beforeAll(() => {
  ensureGeneratorBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ms-new-user-'));
}, 180_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('answers', () => {
  test('--autoscaling all means every generated environment (the default ones have no qa)', () => {
    const answers = resolveAnswers(parseFlags({ autoscaling: 'all', yes: true }), {}, {}, {});
    expect(answers.environments).toEqual(['dev', 'staging', 'prod']);
    expect(answers.environments.map((e) => answers.env[e]!.autoscaling)).toEqual([true, true, true]);
  });

  test('a per-environment value for an environment that is not generated is refused', () => {
    expect(() => resolveAnswers(parseFlags({ 'instance-count': 'qa=2', yes: true }), {}, {}, {})).toThrow(
      /--instance-count "qa=2" is not valid: qa is not a generated environment/,
    );
    expect(() =>
      resolveAnswers(parseFlags({ 'min-capacity': 'staging=2', environments: 'dev,prod', yes: true }), {}, {}, {}),
    ).toThrow(/--min-capacity "staging=2"/);
  });

  test('the team is a tag value: "ml" and "Risk Models" are fine, and release.yaml still validates', async () => {
    expect(parseFlags({ team: 'ml', yes: true }).team).toBe('ml');
    const result = await runInit('churn', { team: 'Risk Models' });
    const release = readYaml(join(result.cwd, 'churn/release.yaml'));
    expect(release.model.team).toBe('Risk Models');
    expect(releaseValidator()(release)).toBe(true);
  });

  test('AWS_REGION is the default region, and one AWS does not have is refused naming where it came from', () => {
    expect(resolveAnswers(parseFlags({ yes: true }), {}, {}, { AWS_REGION: 'us-west-2' }).region).toBe('us-west-2');
    expect(resolveAnswers(parseFlags({ yes: true }), {}, {}, { AWS_DEFAULT_REGION: 'ap-southeast-2' }).region).toBe(
      'ap-southeast-2',
    );
    expect(resolveAnswers(parseFlags({ yes: true }), {}, {}, {}).region).toBe('eu-west-1');
    expect(() => resolveAnswers(parseFlags({ yes: true }), {}, {}, { AWS_REGION: 'zz-nowhere-9' })).toThrow(
      /--region "zz-nowhere-9" is not valid: AWS_REGION gives it/,
    );
    expect(() => parseFlags({ region: 'zz-nowhere-9' })).toThrow(/not an AWS region/);
  });
});

describe('prompts', () => {
  test('with the redis cache it asks the TTL but not the in-memory size', () => {
    const questions = buildQuestions(parseFlags({}), {});
    const asked = (name: string, answers: Record<string, unknown>) => {
      const q = questions.find((x) => x.name === name)!;
      return q.when ? q.when(answers) : true;
    };
    expect(asked('cacheTtl', { cache: 'redis' })).toBe(true);
    expect(asked('cacheMaxEntries', { cache: 'redis' })).toBe(false);
    expect(asked('cacheMaxEntries', { cache: 'memory' })).toBe(true);
  });

  test('asks each environment whether it is serverless, then skips its instance and autoscaling questions', () => {
    const questions = buildQuestions(parseFlags({}), {});
    const q = (name: string) => questions.find((x) => x.name === name)!;
    const envs = { environments: ['dev', 'prod'] };
    expect(q('serverless_dev')).toMatchObject({ type: 'confirm', default: false });
    expect(q('serverless_dev').when!(envs)).toBe(true);
    expect(q('serverless_qa').when!(envs)).toBe(false);
    const devServerless = { ...envs, serverless_dev: true, serverless_prod: false };
    expect(q('instanceType_dev').when!(devServerless)).toBe(false);
    expect(q('instanceCount_dev').when!(devServerless)).toBe(false);
    expect(q('instanceType_prod').when!(devServerless)).toBe(true);
    const choices = (q('autoscaling').choices as (a: object) => { value: string }[])(devServerless);
    expect(choices.map((c) => c.value)).toEqual(['prod']);
    // --serverless answers it: no question.
    expect(buildQuestions(parseFlags({ serverless: 'dev' }), {}).some((x) => x.name === 'serverless_dev')).toBe(false);
  });

  test('with the redis cache it asks the VPC (subnets, security groups) and checks the ids', () => {
    const questions = buildQuestions(parseFlags({}), {});
    const question = (name: string) => questions.find((x) => x.name === name)!;
    for (const name of ['vpcSubnets', 'vpcSecurityGroups']) {
      expect(question(name).when!({ cache: 'redis' })).toBe(true);
      expect(question(name).when!({ cache: 'memory' })).toBe(false);
    }
    const subnets = question('vpcSubnets').validate!;
    expect(subnets('subnet-0a1b2c3d, subnet-4e5f6a7b0c1d2e3f4')).toBe(true);
    expect(subnets('vpc-0a1b2c3d')).toMatch(/vpc-0a1b2c3d is not such an id/);
    expect(question('vpcSecurityGroups').validate!('sg-0a1b2c3d')).toBe(true);
    const answers = resolveAnswers(
      parseFlags({}),
      { cache: 'redis', vpcSubnets: 'subnet-0a1b2c3d', vpcSecurityGroups: 'sg-0a1b2c3d,sg-4e5f6a7b' },
      {},
      {},
    );
    expect(answers.vpc).toEqual({ subnetIds: ['subnet-0a1b2c3d'], securityGroupIds: ['sg-0a1b2c3d', 'sg-4e5f6a7b'] });
  });

  test('choices are select prompts (inquirer deprecates "list")', () => {
    const types = buildQuestions(parseFlags({}), {}).map((q) => q.type);
    expect(types).toContain('select');
    expect(types).not.toContain('list');
  });
});

describe('model-service bin', () => {
  test('--help keeps at least two spaces between every flag and its description', () => {
    const rows = USAGE.split('\n').filter((line) => line.startsWith('  --'));
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) expect(row).toMatch(/^ {2}--\S+(?: <value>)? {2,}\S/);
  });

  test('without a terminal and without --yes it stops with MS_GEN_NEEDS_TERMINAL and writes nothing', () => {
    const run = cli('init', 'no-tty', '--skip-install', '--packages', 'registry');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('MS_GEN_NEEDS_TERMINAL');
    expect(run.stderr).not.toContain('bug');
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).not.toContain('no-tty');
  });

  test('a fresh project is a git repository with everything committed, and npm start builds first', () => {
    const run = cli('init', 'fresh', '--yes', '--skip-install', '--packages', 'registry');
    expect(run.status).toBe(0);
    const project = join(dir, 'fresh');
    expect(git(project, 'rev-parse', '--show-toplevel').stdout.trim()).toBe(project);
    expect(git(project, 'log', '--oneline').stdout.trim().split('\n')).toHaveLength(1);
    expect(git(project, 'status', '--porcelain').stdout).toBe('');
    expect(git(project, 'ls-files').stdout).toContain('.yo-rc.json');
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('npm run build --silent');
  });

  test('a re-run that stops on a conflict keeps the answers .yo-rc.json had', () => {
    expect(cli('init', 'again', '--yes', '--skip-install', '--packages', 'registry').status).toBe(0);
    writeFileSync(join(dir, 'again', 'src', 'health.ts'), '// mine\n');
    const before = readFileSync(join(dir, 'again', '.yo-rc.json'), 'utf8');
    const stopped = cli('init', 'again', '--yes', '--skip-install', '--packages', 'registry', '--cache', 'off');
    expect(stopped.status).toBe(2);
    expect(stopped.stderr).toContain('MS_GEN_CONFLICT');
    expect(readFileSync(join(dir, 'again', '.yo-rc.json'), 'utf8')).toBe(before);
  });
});
