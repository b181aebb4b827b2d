#!/usr/bin/env bash
# Renders RENDERED_PIPELINE/ (workflow.yaml + one params/<name> file per default parameter value).
# A real project runs the KFP compiler here (python pipeline.py --output-folder …).
set -euo pipefail
cd "$(dirname "$0")"
out=RENDERED_PIPELINE
rm -rf "$out" && mkdir -p "$out/params"
sed "s/@@COMPILED_AT@@/$(date -u +%Y-%m-%dT%H:%M:%S.%N)/" pipeline.template.yaml | grep -v '^#' > "$out/workflow.yaml"
printf '0.01' > "$out/params/learning_rate"
printf 'gs://example-bucket/datasets/issues/latest' > "$out/params/dataset_uri"
