# Shared by deploy.sh and deploy-stack.sh: region resolution and the S3 staging bucket.
# Expects AWS (the aws command) and fail() from the caller.

# Sets REGION from AWS_REGION, AWS_DEFAULT_REGION, the profile, else us-east-1, and exports it.
resolve_region() {
  REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-$($AWS configure get region 2>/dev/null || true)}}
  [ -n "$REGION" ] || REGION=us-east-1
  export AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION AWS_PAGER=""
}

# ensure_bucket BUCKET: creates the staging bucket (public access blocked) unless it exists,
# or fails when DEPLOY_CREATE_BUCKET=false.
ensure_bucket() {
  local bucket=$1 out
  if $AWS s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
    return 0
  fi
  [ "${DEPLOY_CREATE_BUCKET:-true}" = true ] || fail "staging bucket $bucket does not exist (and DEPLOY_CREATE_BUCKET=false)"
  echo "creating staging bucket s3://$bucket in $REGION"
  if [ "$REGION" = us-east-1 ]; then
    out=$($AWS s3api create-bucket --bucket "$bucket" 2>&1) || fail "could not create bucket $bucket: $out"
  else
    out=$($AWS s3api create-bucket --bucket "$bucket" --create-bucket-configuration "LocationConstraint=$REGION" 2>&1) \
      || fail "could not create bucket $bucket: $out"
  fi
  $AWS s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true >/dev/null 2>&1 || true
}

# upload ZIP BUCKET KEY
upload() {
  local out
  echo "uploading $1 to s3://$2/$3"
  out=$($AWS s3api put-object --bucket "$2" --key "$3" --body "$1" 2>&1) || fail "upload failed: $out"
}
