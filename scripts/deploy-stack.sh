#!/usr/bin/env bash
# Deploys the whole stack (deploy/template.yaml) with `aws cloudformation deploy`:
# stages dist/bootstrap.zip in DEPLOY_BUCKET (created if missing) under a key unique
# to the build, then creates or updates STACK_NAME with it.
#
#   STACK_NAME=twin DEPLOY_BUCKET=my-staging [AWS_REGION=...] [PARAMS="ModelId=... MemoryBackend=dynamodb"] \
#     scripts/deploy-stack.sh
set -euo pipefail
fail() { echo "deploy-stack: $*" >&2; exit 1; }
# shellcheck source=lib/staging.sh
. "$(dirname "$0")/lib/staging.sh"

: "${STACK_NAME:?deploy-stack: set STACK_NAME}"
: "${DEPLOY_BUCKET:?deploy-stack: set DEPLOY_BUCKET (the S3 staging bucket for the code)}"
ZIP=${ZIP:-dist/bootstrap.zip}
AWS=${AWS:-aws}
TEMPLATE=${TEMPLATE:-deploy/template.yaml}
resolve_region
[ -f "$ZIP" ] || fail "$ZIP is missing: run make package"

zip_hex=$(openssl dgst -sha256 -hex "$ZIP" | awk '{print $NF}')
key="${DEPLOY_PREFIX:-lambda-code}/${STACK_NAME}/${zip_hex}.zip"

ensure_bucket "$DEPLOY_BUCKET"
# The staged code stays: CloudFormation needs it to roll back. Its key is the zip's hash.
upload "$ZIP" "$DEPLOY_BUCKET" "$key"

echo "deploy-stack: deploying stack $STACK_NAME in $REGION"
# shellcheck disable=SC2086
$AWS cloudformation deploy --template-file "$TEMPLATE" --stack-name "$STACK_NAME" \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  --parameter-overrides "CodeBucket=$DEPLOY_BUCKET" "CodeKey=$key" ${PARAMS:-} \
  || fail "cloudformation deploy failed (see the stack's events: aws cloudformation describe-stack-events --stack-name $STACK_NAME)"
$AWS cloudformation describe-stacks --stack-name "$STACK_NAME" --query 'Stacks[0].Outputs' --output table || true
