#!/usr/bin/env bash
# Deploys the whole stack (deploy/template.yaml) with `aws cloudformation deploy`:
# stages dist/bootstrap.zip in DEPLOY_BUCKET (created if missing) under a key unique
# to the build, then creates or updates STACK_NAME with it.
#
#   STACK_NAME=twin DEPLOY_BUCKET=my-staging [AWS_REGION=...] [PARAMS="ModelId=... MemoryBackend=dynamodb"] \
#     scripts/deploy-stack.sh
set -euo pipefail
fail() { echo "deploy-stack: $*" >&2; exit 1; }

: "${STACK_NAME:?deploy-stack: set STACK_NAME}"
: "${DEPLOY_BUCKET:?deploy-stack: set DEPLOY_BUCKET (the S3 staging bucket for the code)}"
ZIP=${ZIP:-dist/bootstrap.zip}
AWS=${AWS:-aws}
TEMPLATE=${TEMPLATE:-deploy/template.yaml}
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-$($AWS configure get region 2>/dev/null || true)}}
[ -n "$REGION" ] || REGION=us-east-1
export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION AWS_PAGER=""
[ -f "$ZIP" ] || fail "$ZIP is missing: run make package"

zip_hex=$(openssl dgst -sha256 -hex "$ZIP" | awk '{print $NF}')
key="${DEPLOY_PREFIX:-lambda-code}/${STACK_NAME}/${zip_hex}.zip"

if ! $AWS s3api head-bucket --bucket "$DEPLOY_BUCKET" >/dev/null 2>&1; then
  echo "deploy-stack: creating s3://$DEPLOY_BUCKET"
  if [ "$REGION" = us-east-1 ]; then
    out=$($AWS s3api create-bucket --bucket "$DEPLOY_BUCKET" 2>&1) || fail "could not create bucket: $out"
  else
    out=$($AWS s3api create-bucket --bucket "$DEPLOY_BUCKET" --create-bucket-configuration "LocationConstraint=$REGION" 2>&1) \
      || fail "could not create bucket: $out"
  fi
fi
# The staged code stays: CloudFormation needs it to roll back. Its key is the zip's hash.
echo "deploy-stack: uploading $ZIP to s3://$DEPLOY_BUCKET/$key"
out=$($AWS s3api put-object --bucket "$DEPLOY_BUCKET" --key "$key" --body "$ZIP" 2>&1) || fail "upload failed: $out"

echo "deploy-stack: deploying stack $STACK_NAME in $REGION"
# shellcheck disable=SC2086
$AWS cloudformation deploy --template-file "$TEMPLATE" --stack-name "$STACK_NAME" \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  --parameter-overrides "CodeBucket=$DEPLOY_BUCKET" "CodeKey=$key" ${PARAMS:-} \
  || fail "cloudformation deploy failed (see the stack's events: aws cloudformation describe-stack-events --stack-name $STACK_NAME)"
$AWS cloudformation describe-stacks --stack-name "$STACK_NAME" --query 'Stacks[0].Outputs' --output table || true
