"""The artifact Lambda runs and how it gets there: the binary check, the zip,
`make deploy` against moto, and the CloudFormation template (cfn-lint, and created in moto)."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


def run(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS", "AWS_"))}
    clean.update(env or {})
    return subprocess.run(cmd, cwd=cwd, env=clean, capture_output=True, text=True, timeout=600)


def test_the_binary_loads_on_provided_al2023(bootstrap_binary):
    r = run(["scripts/check-binary.sh", bootstrap_binary])
    assert r.returncode == 0, r.stderr
    needed = set(re.findall(r"\(NEEDED\).*\[(.*)\]", run(["readelf", "-d", bootstrap_binary]).stdout))
    assert needed <= {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"}
    versions = set(re.findall(r"\(GLIBC_([0-9.]+)\)", run(["objdump", "-T", bootstrap_binary]).stdout))
    assert max(versions, key=lambda v: tuple(map(int, v.split(".")))) <= "2.34"


def test_the_check_names_what_would_not_load():
    # Debian's curl needs its shared libcurl and newer glibc symbols: the check must say so.
    r = run(["scripts/check-binary.sh", "/usr/bin/curl"])
    assert r.returncode != 0
    assert "libcurl.so.4" in r.stderr


def test_make_package_builds_a_zip_lambda_can_run(tmp_path):
    persona = tmp_path / "persona"
    persona.mkdir()
    (persona / "summary.md").write_text("I build things.")
    (persona / "notes.pdf").write_text("not bundled")
    r = run(["make", "--no-print-directory", "package", f"PERSONA_SRC={persona}"])
    assert r.returncode == 0, r.stdout + r.stderr
    zip_path = ROOT / "dist" / "bootstrap.zip"
    assert zip_path.stat().st_size < 10 * 1024 * 1024
    with zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
        assert "bootstrap" in names and "persona/summary.md" in names and "persona/notes.pdf" not in names
        info = z.getinfo("bootstrap")
        assert stat.S_IMODE(info.external_attr >> 16) == 0o755
        assert z.read("bootstrap") == (ROOT / "dist" / "bootstrap").read_bytes()
    # Rebuilt, without the persona, for the tests that follow.
    assert run(["make", "--no-print-directory", "package", "PERSONA_SRC=/nonexistent"]).returncode == 0


def test_cfn_lint_passes_on_the_template():
    r = run([str(ROOT / ".venv" / "bin" / "cfn-lint"), "deploy/template.yaml"])
    assert r.returncode == 0, r.stdout + r.stderr


def aws_env(moto) -> dict:
    return {"AWS_ENDPOINT_URL": moto.url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1"}


def create_function(moto, name: str) -> None:
    iam = moto.client("iam")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\necho old\n")
    moto.client("lambda").create_function(FunctionName=name, Runtime="provided.al2023", Role=role, Handler="bootstrap",
                                          Code={"ZipFile": buf.getvalue()})


def test_make_deploy_updates_the_function_through_s3(moto_open):
    moto = moto_open
    name, bucket = f"twin-{uuid.uuid4().hex[:8]}", f"stage-{uuid.uuid4().hex[:8]}"
    create_function(moto, name)
    r = run(["make", "--no-print-directory", "deploy", f"FUNCTION_NAME={name}", f"DEPLOY_BUCKET={bucket}"], env=aws_env(moto))
    assert r.returncode == 0, r.stdout + r.stderr
    local = base64.b64encode(hashlib.sha256((ROOT / "dist" / "bootstrap.zip").read_bytes()).digest()).decode()
    openssl = subprocess.run("openssl dgst -sha256 -binary dist/bootstrap.zip | base64", shell=True, cwd=ROOT,
                             capture_output=True, text=True).stdout.strip()
    assert local == openssl
    config = moto.client("lambda").get_function_configuration(FunctionName=name)
    assert config["CodeSha256"] == local
    assert "created" not in r.stderr
    # The staging bucket was created, and the staged object removed.
    assert moto.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0

    kept = run(["make", "--no-print-directory", "deploy", f"FUNCTION_NAME={name}", f"DEPLOY_BUCKET={bucket}", "KEEP_STAGED=true"],
               env=aws_env(moto))
    assert kept.returncode == 0, kept.stderr
    keys = [o["Key"] for o in moto.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]
    assert len(keys) == 1 and keys[0].startswith(f"lambda-code/{name}/") and keys[0].endswith(".zip")


def test_make_deploy_fails_clearly(moto_open):
    moto = moto_open
    missing = run(["make", "--no-print-directory", "deploy", "FUNCTION_NAME=no-such-function", "DEPLOY_BUCKET=stage-x"],
                  env=aws_env(moto))
    assert missing.returncode != 0
    assert "function no-such-function not found" in missing.stderr

    name = f"twin-{uuid.uuid4().hex[:8]}"
    create_function(moto, name)
    no_bucket = run(["make", "--no-print-directory", "deploy", f"FUNCTION_NAME={name}", "DEPLOY_BUCKET=absent-bucket",
                     "DEPLOY_CREATE_BUCKET=false"], env=aws_env(moto))
    assert no_bucket.returncode != 0
    assert "staging bucket absent-bucket does not exist" in no_bucket.stderr

    unset = run(["make", "--no-print-directory", "deploy"], env=aws_env(moto))
    assert unset.returncode != 0 and "FUNCTION_NAME" in unset.stderr


@pytest.mark.parametrize("backend", ["s3", "dynamodb"])
def test_the_template_creates_the_stack_in_moto(moto_open, backend):
    moto = moto_open
    bucket, key = f"code-{uuid.uuid4().hex[:8]}", "lambda-code/bootstrap.zip"
    moto.client("s3").create_bucket(Bucket=bucket)
    moto.client("s3").put_object(Bucket=bucket, Key=key, Body=(ROOT / "dist" / "bootstrap.zip").read_bytes())
    name = f"twin-{backend}-{uuid.uuid4().hex[:6]}"
    cfn = moto.client("cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=(ROOT / "deploy" / "template.yaml").read_text(),
                     Capabilities=["CAPABILITY_IAM"], Parameters=[
                         {"ParameterKey": "FunctionName", "ParameterValue": name},
                         {"ParameterKey": "CodeBucket", "ParameterValue": bucket},
                         {"ParameterKey": "CodeKey", "ParameterValue": key},
                         {"ParameterKey": "MemoryBackend", "ParameterValue": backend},
                         {"ParameterKey": "MemoryTtlDays", "ParameterValue": "30"},
                         # moto's CloudFormation has no AWS::Lambda::Url; cfn-lint checks that part.
                         {"ParameterKey": "CreateFunctionUrl", "ParameterValue": "false"}])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", cfn.describe_stack_events(StackName=name)
    config = moto.client("lambda").get_function_configuration(FunctionName=name)
    assert config["Runtime"] == "provided.al2023" and config["Handler"] == "bootstrap"
    env = config["Environment"]["Variables"]
    assert env["MEMORY_BACKEND"] == backend and env["BEDROCK_MODEL_ID"] == "amazon.nova-lite-v1:0"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if backend == "s3":
        bucket_name = env["S3_BUCKET"]
        assert bucket_name and outputs.get("MemoryBucketName") == bucket_name
        enc = moto.client("s3").get_bucket_encryption(Bucket=bucket_name)
        assert enc["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        # moto's CloudFormation does not apply PublicAccessBlockConfiguration: read it from the template.
        from cfnlint.decode import decode_str
        template, _ = decode_str((ROOT / "deploy" / "template.yaml").read_text())
        block = template["Resources"]["MemoryBucket"]["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4
    else:
        table = moto.client("dynamodb").describe_table(TableName=env["DYNAMODB_TABLE"])["Table"]
        assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {"session_id": "HASH", "seq": "RANGE"}
        assert str(env["MEMORY_TTL_DAYS"]) == "30"
    role = config["Role"].split("/")[-1]
    iam = moto.client("iam")
    documents = [iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"]
                 for p in iam.list_role_policies(RoleName=role)["PolicyNames"]]
    text = json.dumps(documents)
    assert '"Action": "*"' not in text and '"Resource": "*"' not in text  # least privilege
    assert "bedrock:InvokeModel" in text and "foundation-model/amazon.nova-lite-v1:0" in text
