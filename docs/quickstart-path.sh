# From a model to a secured API, from a clone of this repo (no registry, no AWS account).
# test/generator/quickstart-path.test.ts runs steps 1-3 verbatim, with <checkout> the clone's path.
# At the clone's root, `npx model-service init ...` is the same as step 1's `node <checkout>/...`.
# Step 1 as written uses the starter model. With `--model model.onnx --sample rows.csv` the
# schemas, tests and golden set come from your model's answers to those rows; with an artifact
# that is not ONNX, tests/golden.jsonl is a placeholder that `npm test` refuses until filled in.
node <checkout>/generators/bin/model-service.js init churn --yes --owner jane@example.com   # 1. a project (packs the runtime and the deployer into churn/vendor/)
cd churn && npm install && npm test      # 2. health, inference, invalid input, golden set
npx model-deploy local                   # 3. the whole chain on 127.0.0.1: Cognito (cognito-local) -> API -> Lambda proxy -> your service; Ctrl-C stops it
npx model-deploy doctor --image <ref>    # 4. pre-deployment checks, and the image against SageMaker's container contract
npx model-deploy plan dev                # 5. what would change in AWS (read calls only)
