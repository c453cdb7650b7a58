// generator-model-service: `yo model-service init [name]` (and `npx model-service init`).
// Run loop: initializing (flags, checked before anything is written) -> prompting ->
// configuring (answers checked, destination chosen) -> writing -> install -> end (answers stored in .yo-rc.json, git init).
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import Generator from 'yeoman-generator';
import { resolveAnswers, type Answers, type PromptAnswers } from '../lib/answers.js';
import { DEFAULTS } from '../lib/constants.js';
import { staticFiles, buildContext, artifactPath, fileMap, mergeUnder, packageJson } from '../lib/context.js';
import { GeneratorError } from '../lib/errors.js';
import { GOLDEN_FILE, goldenLines, goldenPlaceholder, toJsonl, type GoldenWeights } from '../lib/golden.js';
import {
  METRICS_FILE,
  metricsPlaceholder,
  metricsSummary,
  starterMetrics,
  toMetricsJson,
  type ModelMetrics,
} from '../lib/metrics.js';
import { TROUBLESHOOTING_CODES_FILE } from '../lib/troubleshooting.js';
import { logisticRegressionOnnx, type LogisticWeights } from '../lib/onnx-model.js';
import { notOnnxFormat } from '../lib/model-formats.js';
import { ANSWERS_FILE, SIGNATURE_FILE, deriveOnnx, type Derivation } from '../lib/onnx-derive.js';
import { readOnnxGraph } from '../lib/onnx-graph.js';
import { derivedContext, derivedFiles, derivedTemplates, describeModelChange } from '../lib/onnx-project.js';
import { FLAGS, parseFlags, type FlagAnswers } from '../lib/options.js';
import { buildQuestions } from '../lib/prompts.js';
import { exitFor, runByYo } from '../lib/exit.js';
import { gitInit } from '../lib/git-init.js';
import { withoutTaskErrorLine } from '../lib/quiet-log.js';
import { templatesDir } from '../lib/templates-dir.js';
import {
  checkoutRoot,
  dependsOnVendor,
  isWorkspaceOf,
  packFromCheckout,
  type PackageSources,
} from '../lib/vendor-packages.js';

const CONFIG_KEY = 'answers';
const GENERATOR_KEY = 'generator-model-service';

export default class ModelServiceGenerator extends Generator {
  private flags!: FlagAnswers;
  private stored: Partial<Answers> = {};
  private prompted: PromptAnswers = {};
  private answers!: Answers;
  /** True when run inside a project this generator made (a re-run): write in place. */
  private inPlace = false;
  /** Your ONNX model (--model x.onnx, or kept from an earlier run): what init derived from it. */
  private derivation?: Derivation;
  /** What changed since the last run's model (said at the end). */
  private modelChanges: string[] = [];
  /** The previous run's artifact, removed because this run brings another file. */
  private removedArtifact?: string;

  constructor(args: string[], options: Record<string, unknown>) {
    // The environment's own install watches only its cwd; install() below handles ./<name>.
    // localConfigOnly: nothing of ours is global, and `yo` run as root drops to uid 1000,
    // which cannot even stat root's ~/.yo-rc-global.json.
    super(args, { ...options, localConfigOnly: true } as never, { customInstallTask: true });
    (this as { log: Generator['log'] }).log = withoutTaskErrorLine(this.log);
    // Our bin's catch ends a stopped run; under yo we do it here (yo would crash on MS_GEN_* codes).
    if (runByYo()) {
      this.env.on('error', (err: unknown) => {
        const exit = exitFor(err);
        process.stderr.write(exit.text);
        process.exit(exit.code);
      });
    }
    this.argument('command', {
      type: String,
      required: false,
      description: '"init" (what `yo model-service init` passes); optional',
    });
    this.argument('name', {
      type: String,
      required: false,
      description: 'Model name; the project is written to ./<name>',
    });
    for (const flag of FLAGS) this.option(flag.name, { type: flag.type, description: flag.description });
    this.option('skip-git', {
      type: Boolean,
      description: 'Do not make the new project a git repository with a first commit',
    });
  }

  initializing(): void {
    this.sourceRoot(templatesDir());
    this.flags = parseFlags(this.options as Record<string, unknown>, this._positionalName());
    this._checkRuntimeSource();
    this._checkModelSource();
    this._checkSample();
    this._checkWritable();
    const here = this._readStored(this.destinationRoot());
    if (here) {
      this.inPlace = true;
      this.stored = here;
    } else if (this.flags.name) {
      this.stored = this._readStored(resolve(this.destinationRoot(), this.flags.name)) ?? {};
    }
  }

  async prompting(): Promise<void> {
    if (this.flags.yes) return;
    const questions = buildQuestions(this.flags, this.stored);
    // Every answer came from a flag: nothing to ask, so no terminal is needed.
    if (questions.length === 0) return;
    this.prompted = (await this.prompt(questions as never)) as PromptAnswers;
  }

  async configuring(): Promise<void> {
    // Throws MS_GEN_* (prod with < 2 instances, min > max ...) before any file is written.
    this.answers = resolveAnswers(this.flags, this.prompted, this.stored);
    const target = resolve(this.destinationRoot(), this.answers.name);
    const created = !this.inPlace && !existsSync(target);
    if (!this.inPlace) this.destinationRoot(target);
    try {
      await this._deriveOnnx(this.answers);
    } catch (err) {
      // A model refused at init leaves nothing behind, not even the folder Yeoman made for it.
      if (created) rmdirSync(target);
      throw err;
    }
  }

  writing(): void {
    const a = this.answers;
    const artifact = artifactPath(a);
    const artifactBytes = this._modelArtifact(a);
    const sources = this._packageSources();
    const existing = this.fs.readJSON(this.destinationPath('package.json'), {}) as Record<string, unknown>;
    const merged = mergeUnder(packageJson(a, sources.specs), existing);
    // An explicit source (a checkout's tarballs, --runtime-source) wins over what the project depended on before.
    for (const [name, spec] of Object.entries(sources.explicit)) {
      const section = name === '@model-service/deployer' ? 'devDependencies' : 'dependencies';
      (merged[section] as Record<string, string>)[name] = spec;
    }
    const starter = a.modelFile === undefined ? this._starterMetrics() : undefined;
    const derived = this.derivation;
    const context = buildContext(a, {
      artifactSha256: createHash('sha256').update(artifactBytes).digest('hex'),
      // Whatever package.json ends up with: a tarball in vendor/ must be in the image build too.
      vendorRuntime: dependsOnVendor(merged),
      troubleshootingCodes: readFileSync(this.templatePath(TROUBLESHOOTING_CODES_FILE), 'utf8'),
      starterMetrics: starter && metricsSummary(starter),
      derived: derived && derivedContext(derived),
    });

    for (const [from, to] of derived ? derivedTemplates(fileMap(a)) : fileMap(a))
      this.renderTemplate(from, to, context);
    for (const [from, to] of staticFiles(a)) this.copyTemplate(from, to);
    this.fs.write(this.destinationPath(artifact), Buffer.from(artifactBytes));
    this.removedArtifact = this._replacedArtifact(artifact);
    if (this.removedArtifact) this.fs.delete(this.destinationPath(this.removedArtifact));
    if (derived) {
      for (const [file, text] of derivedFiles(derived)) this.fs.write(this.destinationPath(file), text);
      this.fs.write(this.destinationPath(GOLDEN_FILE), this._derivedGolden(derived));
      this.fs.write(
        this.destinationPath(METRICS_FILE),
        derived.metrics ? toMetricsJson(derived.metrics) : this._metrics(a, artifact, undefined),
      );
    } else {
      this.fs.write(this.destinationPath(GOLDEN_FILE), this._golden(a, artifact));
      this.fs.write(this.destinationPath(METRICS_FILE), this._metrics(a, artifact, starter));
    }
    for (const tarball of sources.tarballs) this.fs.write(this.destinationPath(tarball.file), tarball.bytes);
    this.fs.writeJSON(this.destinationPath('package.json'), merged);
  }

  async install(): Promise<void> {
    if (this.options.skipInstall) return;
    try {
      await this.spawnCommand('npm install --no-audit --no-fund', { cwd: this.destinationRoot() });
    } catch (err) {
      throw new GeneratorError(
        'MS_GEN_INSTALL_FAILED',
        { dir: this.destinationRoot(), detail: (err as { shortMessage?: string }).shortMessage ?? String(err) },
        { cause: err },
      );
    }
  }

  end(): void {
    // Files are committed by now: a run that stopped before (a conflict, Ctrl-C) keeps the old answers.
    this._storeAnswers();
    const dir = relative(process.cwd(), this.destinationRoot()) || '.';
    if (this.derivation) this._sayDerivation(this.derivation);
    if (this.removedArtifact)
      this.log(`Removed ${this.removedArtifact}, the previous model (the image copies model/ as it is).`);
    if (!this.inPlace && !(this.options as { skipGit?: boolean }).skipGit) {
      const git = gitInit(this.destinationRoot(), `${this.answers.name}: generated by generator-model-service`);
      this.log(
        git.done ? `git: a new repository with a first commit (${git.sha})` : `git: not initialized (${git.reason})`,
      );
    }
    // A re-run in place needs no `cd .`.
    const install = this.options.skipInstall ? 'npm install' : undefined;
    const steps = [dir === '.' ? undefined : `cd ${dir}`, install].filter(Boolean).join(' && ');
    const firstSteps = steps ? `  ${steps}\n` : '';
    this.log(`
${this.answers.name} is ready in ${dir}:
${firstSteps}  npm test                 # health, inference, invalid input, golden set (80% line coverage)
  npm run build && npm start   # http://127.0.0.1:8080/ping
  curl -s -X POST http://127.0.0.1:8080/invocations -H 'content-type: application/json' -d @sample-request.json
  npx model-deploy plan ${this.answers.environments[0]}
`);
  }

  /** The answers into .yo-rc.json (other keys kept), written directly: it must not be part of the commit an abort can cut short. */
  _storeAnswers(): void {
    const { runtimeSource: _source, modelSource: _model, ...toStore } = this.answers;
    const file = this.destinationPath('.yo-rc.json');
    const rc = (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) as Record<
      string,
      Record<string, unknown>
    >;
    rc[GENERATOR_KEY] = { ...rc[GENERATOR_KEY], [CONFIG_KEY]: toStore };
    const text = `${JSON.stringify(rc, null, 2)}\n`;
    writeFileSync(file, text);
    // mem-fs read .yo-rc.json at the start: tell it too, so it does not hold the old content.
    this.fs.write(file, text);
  }

  /** `init churn` -> churn; `churn` -> churn; `init` -> none (asked or defaulted). */
  _positionalName(): string | undefined {
    const [first, second] = this.args.map(String);
    if (first === undefined) return undefined;
    if (first === 'init') return second;
    if (second !== undefined) {
      throw new GeneratorError('MS_GEN_INVALID_FLAG', {
        flag: 'command',
        value: first,
        problem: 'unknown command',
        allowed: 'init',
      });
    }
    return first;
  }

  _readStored(dir: string): Partial<Answers> | undefined {
    // Through mem-fs: sees files on disk and files composed generators (or tests) queued.
    const rc = this.fs.readJSON(join(dir, '.yo-rc.json')) as
      Record<string, { [CONFIG_KEY]?: Partial<Answers> } | undefined> | undefined;
    return rc?.[GENERATOR_KEY]?.[CONFIG_KEY];
  }

  _checkRuntimeSource(): void {
    const source = this.flags.runtimeSource;
    if (source === undefined) return;
    const path = resolve(source);
    const ok =
      existsSync(path) &&
      (statSync(path).isDirectory() ? existsSync(join(path, 'package.json')) : path.endsWith('.tgz'));
    if (!ok) throw new GeneratorError('MS_GEN_RUNTIME_SOURCE', { value: source });
  }

  /**
   * @model-service/* for the project: registry ranges; from a checkout (--packages checkout, the
   * CLI's default there) tarballs packed into vendor/; --runtime-source overrides the runtime.
   */
  _packageSources(): PackageSources {
    const sources: PackageSources = {
      specs: { runtime: DEFAULTS.runtimeRange, deployer: DEFAULTS.deployerRange },
      explicit: {},
      tarballs: [],
    };
    if (this.flags.packages === 'checkout') {
      const root = checkoutRoot();
      if (!root)
        throw new GeneratorError('MS_GEN_INVALID_FLAG', {
          flag: 'packages',
          value: 'checkout',
          problem: 'this generator is not running from a checkout of the model-service repo',
          allowed: 'registry (or run <checkout>/generators/bin/model-service.js)',
        });
      // In one of the checkout's workspaces (examples/<x>) npm links the packages itself.
      if (!isWorkspaceOf(root, this.destinationRoot())) {
        sources.tarballs = packFromCheckout(root);
        for (const t of sources.tarballs) sources.explicit[t.name] = `file:${t.file}`;
        this.log(
          `Packed ${sources.tarballs.map((t) => t.name).join(' and ')} from the checkout at ${root} into vendor/ (no registry needed).`,
        );
      }
    }
    const source = this.flags.runtimeSource;
    if (source !== undefined) {
      const path = resolve(source);
      sources.tarballs = sources.tarballs.filter((t) => t.name !== '@model-service/runtime');
      if (statSync(path).isDirectory()) {
        sources.explicit['@model-service/runtime'] = `file:${relative(this.destinationRoot(), path)}`;
      } else {
        const file = `vendor/${basename(path)}`;
        sources.tarballs.push({ name: '@model-service/runtime', file, bytes: readFileSync(path) });
        sources.explicit['@model-service/runtime'] = `file:${file}`;
      }
    }
    return sources;
  }

  /**
   * Your ONNX model: its signature, onnxruntime's answers to the sample rows, the card. A re-run
   * without a new --model or --sample keeps the answers recorded before (and the user's edits).
   */
  async _deriveOnnx(a: Answers): Promise<void> {
    if (a.modelKind !== 'onnx' || a.modelFile === undefined) return;
    const path = a.modelSource !== undefined ? resolve(a.modelSource) : this.destinationPath('model', a.modelFile);
    if (!existsSync(path)) throw new GeneratorError('MS_GEN_MODEL_MISSING', { path, file: a.modelFile });
    const before = this._previousModel();
    const derivation = await deriveOnnx(path, {
      sample: this.flags.sample,
      labelColumn: this.flags.labelColumn,
      artifact: `model/${a.modelFile}`,
    });
    const answersPath = this.destinationPath(ANSWERS_FILE);
    if (a.modelSource === undefined && this.flags.sample === undefined && this.fs.exists(answersPath)) {
      derivation.answers = this.fs.readJSON(answersPath) as unknown as Derivation['answers'];
      derivation.reused = true;
    }
    const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
    this.modelChanges = describeModelChange(before, { signature: derivation.signature, sha256 });
    this.derivation = derivation;
  }

  /** The artifact an earlier run wrote, when this run writes another one in its place. */
  _replacedArtifact(artifact: string): string | undefined {
    const { name, modelKind, modelFile } = this.stored;
    if (name === undefined || modelKind === undefined) return undefined;
    const before = artifactPath({ name, modelKind, ...(modelFile !== undefined ? { modelFile } : {}) });
    return before !== artifact && this.fs.exists(this.destinationPath(before)) ? before : undefined;
  }

  /** The signature and artifact hash of the model this project had before this run, if any. */
  _previousModel(): { signature?: Derivation['signature']; sha256?: string } {
    const signaturePath = this.destinationPath(SIGNATURE_FILE);
    const signature = existsSync(signaturePath)
      ? (JSON.parse(readFileSync(signaturePath, 'utf8')) as Derivation['signature'])
      : undefined;
    const file = this.stored.modelFile;
    const artifact = file ? this.destinationPath('model', file) : undefined;
    const sha256 =
      artifact && existsSync(artifact) ? createHash('sha256').update(readFileSync(artifact)).digest('hex') : undefined;
    return { signature, sha256 };
  }

  /** The golden set from the sample rows and the model's answers; kept as is on a re-run that brings neither. */
  _derivedGolden(d: Derivation): string {
    const path = this.destinationPath(GOLDEN_FILE);
    if (d.reused && this.fs.exists(path) && !this.fs.read(path).includes('"placeholder":true'))
      return this.fs.read(path);
    return toJsonl(d.golden);
  }

  _sayDerivation(d: Derivation): void {
    const s = d.signature;
    const rows = d.answers.instances.length === 1 ? 'row' : 'rows';
    const io = (list: typeof s.inputs) =>
      list.map((t) => `${t.name} ${t.type}[${t.shape.map((x) => x ?? '?').join(',')}]`).join(', ');
    this.log(
      `Derived from ${this.answers.modelFile} (${s.producer ?? 'unknown producer'}): ${io(s.inputs)} -> ${io(s.outputs)}.`,
    );
    this.log(
      d.reused
        ? `Kept ${ANSWERS_FILE} and ${GOLDEN_FILE} (no new --model or --sample).`
        : `Ran ${d.answers.instances.length} ${d.sample ? `${rows} of ${d.sample.file}` : `made-up ${rows} (pass --sample for real ones)`} through onnxruntime: ${ANSWERS_FILE}, ${GOLDEN_FILE}.`,
    );
    this.log(
      d.metrics
        ? `Model card ${METRICS_FILE}: ${metricsSummary(d.metrics)}.`
        : `Model card ${METRICS_FILE}: a placeholder (pass --sample with --label-column to fill it in).`,
    );
    if (this.modelChanges.length > 0)
      this.log(`Model changed since the last run:\n  ${this.modelChanges.join('\n  ')}`);
  }

  /** The folder the project goes in (or is, on a re-run) must be writable: said before any question. */
  _checkWritable(): void {
    const dir = this.destinationRoot();
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new GeneratorError('MS_GEN_NOT_WRITABLE', { dir, uid: process.getuid?.() ?? 'unknown' });
    }
  }

  /** --sample must name a file; absolute from here on (the destination changes before configuring). */
  _checkSample(): void {
    const sample = this.flags.sample;
    if (sample === undefined) return;
    if (!existsSync(resolve(sample)) || !statSync(resolve(sample)).isFile())
      throw new GeneratorError('MS_GEN_SAMPLE', { file: sample, problem: 'is not a file' });
    this.flags.sample = resolve(sample);
  }

  /** --model must name a readable regular file whose name is safe inside model/ and in source code. */
  _checkModelSource(): void {
    const source = this.flags.model;
    if (source === undefined) return;
    const path = resolve(source);
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new GeneratorError('MS_GEN_MODEL_FILE', { value: source, problem: 'is not a file' });
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(basename(path))) {
      throw new GeneratorError('MS_GEN_MODEL_FILE', {
        value: source,
        problem: 'has a file name outside letters, digits, ".", "_" and "-" (rename it)',
      });
    }
    if (statSync(path).size === 0)
      throw new GeneratorError('MS_GEN_MODEL_FILE', { value: source, problem: 'is empty' });
    // Pickles, joblib and XGBoost/LightGBM files are refused here, whatever their extension.
    const bytes = readFileSync(path);
    const other = notOnnxFormat(bytes);
    if (other) throw new GeneratorError('MS_GEN_MODEL_FORMAT', { file: basename(path), detected: other });
    // An ONNX graph the generic loader cannot serve (ZipMap, opset < 7, other types) is refused before any question.
    if (path.toLowerCase().endsWith('.onnx')) readOnnxGraph(bytes, basename(path));
    // Absolute from here on: the destination changes before writing().
    this.flags.model = path;
  }

  /**
   * Your model (--model): `file` as you filled it in, kept by a re-run without a new --model;
   * otherwise (first run, a new model, or still the placeholder) the placeholder to replace.
   */
  _keptOrPlaceholder(a: Answers, file: string, isPlaceholder: (text: string) => boolean, placeholder: string): string {
    const path = this.destinationPath(file);
    const existing = this.fs.exists(path) ? this.fs.read(path) : undefined;
    if (a.modelSource === undefined && existing !== undefined && !isPlaceholder(existing)) return existing;
    return placeholder;
  }

  /** Starter model: golden answers computed from its weights. Your model: the placeholder to replace. */
  _golden(a: Answers, artifact: string): string {
    if (a.modelFile !== undefined) {
      return this._keptOrPlaceholder(
        a,
        GOLDEN_FILE,
        (text) => text.includes('"placeholder":true'),
        toJsonl([goldenPlaceholder(artifact)]),
      );
    }
    const weights = JSON.parse(readFileSync(this.templatePath('model', 'model.json'), 'utf8')) as GoldenWeights;
    return toJsonl(goldenLines(weights, a.modelKind));
  }

  /** Starter model: its held-out numbers. Your model: the card you filled in, or the placeholder. */
  _metrics(a: Answers, artifact: string, starter: ModelMetrics | undefined): string {
    if (starter) return toMetricsJson(starter);
    return this._keptOrPlaceholder(
      a,
      METRICS_FILE,
      (text) => /"placeholder"\s*:\s*true/.test(text),
      toMetricsJson(metricsPlaceholder(artifact)),
    );
  }

  /** The starter model's card: the held-out numbers its training measured (read from its weights file). */
  _starterMetrics(): ModelMetrics {
    return starterMetrics(
      JSON.parse(readFileSync(this.templatePath('model', 'model.json'), 'utf8')) as {
        version?: string;
        heldOutAccuracy?: number;
      },
    );
  }

  /** Your model (--model, or kept from an earlier run), else the starter model as weights JSON or ONNX bytes. */
  _modelArtifact(a: Answers): Uint8Array {
    if (a.modelSource !== undefined) return readFileSync(resolve(a.modelSource));
    if (a.modelFile !== undefined) {
      const path = this.destinationPath('model', a.modelFile);
      if (!existsSync(path)) throw new GeneratorError('MS_GEN_MODEL_MISSING', { path, file: a.modelFile });
      return readFileSync(path);
    }
    const weights = readFileSync(this.templatePath('model', 'model.json'));
    if (a.modelKind === 'typescript') return weights;
    return logisticRegressionOnnx(JSON.parse(weights.toString('utf8')) as LogisticWeights, a.name);
  }
}
