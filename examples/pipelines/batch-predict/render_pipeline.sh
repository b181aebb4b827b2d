#!/usr/bin/env bash
# Renders RENDERED_PIPELINE/pipeline.yaml (KFP v2 IR). A real project runs the KFP v2 compiler here.
set -euo pipefail
cd "$(dirname "$0")"
out=RENDERED_PIPELINE
rm -rf "$out" && mkdir -p "$out/params"
grep -v '^#' pipeline.template.yaml > "$out/pipeline.yaml"
printf 'gs://example-bucket/models/issue-classifier/v12' > "$out/params/model_uri"
