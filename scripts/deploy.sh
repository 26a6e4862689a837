#!/usr/bin/env bash
# Deploys dist/bootstrap.zip to an existing Lambda function through an S3 staging bucket:
# the Python twin's manual steps, automated.
#
#   FUNCTION_NAME=twin DEPLOY_BUCKET=my-staging [AWS_REGION=us-east-1] scripts/deploy.sh
#
# 1. the staging bucket is created if missing (DEPLOY_CREATE_BUCKET=false forbids that);
# 2. the zip is uploaded under a key unique to the build (its SHA-256 and a timestamp);
# 3. `aws lambda update-function-code --s3-bucket --s3-key`;
# 4. wait until LastUpdateStatus is Successful;
# 5. the function's CodeSha256 must equal the local zip's;
# 6. the staged object is removed unless KEEP_STAGED=true.
# Any failed step stops with a message saying which. Needs only AWS credentials in the
# environment (or a profile); honours AWS_ENDPOINT_URL.
set -euo pipefail

fail() { echo "deploy: $*" >&2; exit 1; }
# shellcheck source=lib/staging.sh
. "$(dirname "$0")/lib/staging.sh"

: "${FUNCTION_NAME:?deploy: set FUNCTION_NAME (the Lambda function to update)}"
: "${DEPLOY_BUCKET:?deploy: set DEPLOY_BUCKET (the S3 staging bucket)}"
ZIP=${ZIP:-dist/bootstrap.zip}
AWS=${AWS:-aws}
resolve_region
[ -f "$ZIP" ] || fail "$ZIP is missing: run make package"

zip_sha256=$(openssl dgst -sha256 -binary "$ZIP" | base64)
zip_hex=$(openssl dgst -sha256 -hex "$ZIP" | awk '{print $NF}')
key="${DEPLOY_PREFIX:-lambda-code}/${FUNCTION_NAME}/$(date -u +%Y%m%dT%H%M%SZ)-${zip_hex:0:16}.zip"

echo "deploy: checking function $FUNCTION_NAME in $REGION"
if ! out=$($AWS lambda get-function-configuration --function-name "$FUNCTION_NAME" --query FunctionName --output text 2>&1); then
  fail "function $FUNCTION_NAME not found or not readable in $REGION: $out"
fi

ensure_bucket "$DEPLOY_BUCKET"
upload "$ZIP" "$DEPLOY_BUCKET" "$key"

cleanup() {
  if [ "${KEEP_STAGED:-false}" != true ]; then
    $AWS s3api delete-object --bucket "$DEPLOY_BUCKET" --key "$key" >/dev/null 2>&1 \
      && echo "deploy: removed staged s3://$DEPLOY_BUCKET/$key" \
      || echo "deploy: could not remove staged s3://$DEPLOY_BUCKET/$key" >&2
  fi
}
trap cleanup EXIT

echo "deploy: updating $FUNCTION_NAME"
out=$($AWS lambda update-function-code --function-name "$FUNCTION_NAME" --s3-bucket "$DEPLOY_BUCKET" --s3-key "$key" \
  --query CodeSha256 --output text 2>&1) || fail "update-function-code failed: $out"

echo "deploy: waiting for the update to finish"
for _ in $(seq 1 120); do
  status=$($AWS lambda get-function-configuration --function-name "$FUNCTION_NAME" --query LastUpdateStatus --output text 2>&1) \
    || fail "could not read the function's status: $status"
  case "$status" in
    Successful|None|null) break ;;
    Failed) reason=$($AWS lambda get-function-configuration --function-name "$FUNCTION_NAME" --query LastUpdateStatusReason --output text 2>&1)
            fail "the update failed: $reason" ;;
    *) sleep 2 ;;
  esac
done
[ "$status" = Successful ] || [ "$status" = None ] || [ "$status" = null ] || fail "the update did not finish (LastUpdateStatus=$status)"

deployed=$($AWS lambda get-function-configuration --function-name "$FUNCTION_NAME" --query CodeSha256 --output text 2>&1) \
  || fail "could not read CodeSha256: $deployed"
if [ "$deployed" != "$zip_sha256" ]; then
  fail "the function's CodeSha256 ($deployed) is not the local zip's ($zip_sha256): the code did not land"
fi
echo "deploy: $FUNCTION_NAME now runs $ZIP (CodeSha256 $deployed)"
