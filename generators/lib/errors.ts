// The generator's error table: stable codes, message templates, and who is at fault.
// the README's generator error table lists every code; test/generator/errors.test.ts keeps them in step.

export const ERRORS = {
  MS_GEN_INVALID_FLAG: {
    message: '--{flag} "{value}" is not valid: {problem}. Allowed: {allowed}.',
    userFault: true,
  },
  MS_GEN_UNKNOWN_FLAG: {
    message: '{flag} is not an option of `model-service {command}`; run `model-service --help` for the list.',
    userFault: true,
  },
  MS_GEN_UNKNOWN_COMMAND: {
    message: '"{command}" is not a model-service command; use `model-service init [name] [flags]`.',
    userFault: true,
  },
  MS_GEN_PROD_NEEDS_TWO_INSTANCES: {
    message:
      'prod has autoscaling on, which needs at least 2 instances, but --instance-count gives prod {count}. Use --instance-count prod=2 (or more), or turn prod autoscaling off with --autoscaling none.',
    userFault: true,
  },
  MS_GEN_CAPACITY_RANGE: {
    message: '--min-capacity {min} is larger than --max-capacity {max} for {env}; choose min <= max.',
    userFault: true,
  },
  MS_GEN_RUNTIME_SOURCE: {
    message:
      '--runtime-source "{value}" is neither a .tgz file nor a package folder with package.json; pass the output of `npm pack` of @model-service/runtime or its folder.',
    userFault: true,
  },
  MS_GEN_MODEL_FILE: {
    message:
      '--model "{value}" {problem}; pass the path of your trained model file (e.g. --model ./artifacts/churn.onnx).',
    userFault: true,
  },
  MS_GEN_MODEL_MISSING: {
    message:
      '{path} is gone, but .yo-rc.json says the project uses your own model ({file}); put it back, or pass --model <file> again.',
    userFault: true,
  },
  MS_GEN_MODEL_FORMAT: {
    message:
      '{file} is {detected}, not ONNX. model-service serves ONNX files (.onnx); export yours with one line: ' +
      'scikit-learn: `skl2onnx.to_onnx(model, X[:1].astype(numpy.float32), options={id(model): {"zipmap": False}})`; ' +
      'XGBoost / LightGBM: `onnxmltools.convert_xgboost(booster, initial_types=[("input", FloatTensorType([None, n_features]))])` (or convert_lightgbm); ' +
      'PyTorch: `torch.onnx.export(model, example_input, "model.onnx", dynamic_axes={"input": {0: "batch"}})`; ' +
      'Keras/TensorFlow: `python -m tf2onnx.convert --saved-model <dir> --output model.onnx`. Then pass --model model.onnx.',
    userFault: true,
  },
  MS_GEN_MODEL_OPSET: {
    message:
      "{file} uses {domain} opset {opset}; onnxruntime-node serves {supported}. Re-export with another opset (e.g. `torch.onnx.export(..., opset_version=17)` or `skl2onnx.to_onnx(..., target_opset=17)`), or convert it: `python -c \"import onnx, onnx.version_converter as v; onnx.save(v.convert_version(onnx.load('{file}'), 17), 'model-17.onnx')\"`.",
    userFault: true,
  },
  MS_GEN_MODEL_TYPE: {
    message:
      '{file} has {where} "{name}" of {type}; the generic loader serves tensors of float, double, int64, int32, bool and string. Re-export with such a type (e.g. cast to float32 before export).',
    userFault: true,
  },
  MS_GEN_MODEL_ZIPMAP: {
    message:
      '{file} ends in a ZipMap (output "{output}" is a sequence of maps, skl2onnx\'s default for classifiers), which onnxruntime-node cannot return. ' +
      'Re-export without it: `skl2onnx.to_onnx(model, X[:1].astype(numpy.float32), options={id(model): {"zipmap": False}})` ' +
      '(or convert_sklearn(..., options={id(model): {"zipmap": False}})); the probabilities then come as a tensor, served per class label.',
    userFault: true,
  },
  MS_GEN_MODEL_LOAD: {
    message:
      'onnxruntime-node cannot load {file}: {detail}. Check that the file is a complete export (re-export it), and that its operators exist in onnxruntime 1.30.',
    userFault: true,
  },
  MS_GEN_SAMPLE: {
    message: '--sample {file} {problem}.',
    userFault: true,
  },
  MS_GEN_NOT_WRITABLE: {
    message:
      '{dir} is not writable by this process (uid {uid}), so the project cannot be written there. `yo` run as root switches to uid 1000 first; run `npx model-service init` instead (it keeps your user), or start from a folder uid {uid} can write.',
    userFault: true,
  },
  MS_GEN_CONFLICT: {
    message:
      '{file} already exists with other content. Rerun with --force to overwrite it, or in a terminal to choose file by file.',
    userFault: true,
  },
  MS_GEN_NEEDS_TERMINAL: {
    message:
      'The generator needs an answer to "{question}" but runs without a terminal; pass the matching flag, or --yes to take defaults.',
    userFault: true,
  },
  MS_GEN_VENDOR_PACK: {
    message:
      'Packing @model-service/runtime and @model-service/deployer from the checkout at {root} failed at `{step}`: {detail}. Fix the build there (`npm install`, then `npx tsc -b` at the repo root), or pass --packages registry to depend on the published packages.',
    userFault: true,
  },
  MS_GEN_INSTALL_FAILED: {
    message:
      'npm install failed in {dir} ({detail}). The files are written; fix the cause (registry access, or run the generator from a checkout of model-service so it vendors @model-service/* while they are not published) and run npm install there.',
    userFault: true,
  },
  MS_GEN_TEMPLATES_MISSING: {
    message:
      'The templates folder was not found (looked in {paths}); reinstall generator-model-service or run its build.',
    userFault: false,
  },
} as const;

export type GeneratorErrorCode = keyof typeof ERRORS;

/** An error the user can fix (bad flag, bad answer) or a packaging bug; `code` is stable. */
export class GeneratorError extends Error {
  readonly code: GeneratorErrorCode;
  readonly userFault: boolean;
  readonly params: Record<string, string | number>;

  constructor(code: GeneratorErrorCode, params: Record<string, string | number> = {}, options?: { cause?: unknown }) {
    const spec = ERRORS[code];
    super(
      `${code}: ${spec.message.replace(/\{(\w+)\}/g, (_m, key: string) => String(params[key] ?? `{${key}}`))}`,
      options,
    );
    this.name = 'GeneratorError';
    this.code = code;
    this.userFault = spec.userFault;
    this.params = params;
  }
}
